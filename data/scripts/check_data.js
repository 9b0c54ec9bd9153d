'use strict';
// Sanity checks for the generated data files; exits non-zero on a problem.
const fs = require('fs');
const path = require('path');
const dir = process.argv[2] || path.join(__dirname, '..');
let bad = 0;
const fail = (m) => { console.error('CHECK FAILED: ' + m); bad++; };

function readTsv(name, header) {
  const lines = fs.readFileSync(path.join(dir, name), 'utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines[0] !== header.join('\t')) fail(`${name}: header`);
  const rows = lines.slice(1).map((l) => l.split('\t'));
  rows.forEach((r, i) => {
    if (r.length !== header.length) fail(`${name}:${i + 2}: ${r.length} fields`);
    r.forEach((v, j) => { if (v === '' || v !== v.trim()) fail(`${name}:${i + 2}: empty/untrimmed ${header[j]}`); });
  });
  const size = fs.statSync(path.join(dir, name)).size;
  if (size > 5 * 1024 * 1024) fail(`${name}: ${size} bytes > 5 MB`);
  return rows;
}

const dc = readTsv('dist_centers.tsv', ['id', 'name', 'latitude', 'longitude']);
if (dc.length !== 10) fail('dist_centers: 10 rows');

const pr = readTsv('products.tsv', ['id', 'cost', 'category', 'name', 'brand', 'retail_price', 'department', 'sku', 'distribution_center_id']);
if (pr.length < 29000) fail('products: >= 29000 rows');
const cats = new Set();
pr.forEach((r, i) => {
  if (Number(r[0]) !== i + 1) fail(`products: id ${r[0]}`);
  const cost = Number(r[1]), price = Number(r[5]);
  if (!(price >= 1.5 && price < 1000)) fail(`products: price ${price}`);
  if (!(cost >= 0.399 * price && cost <= 0.601 * price)) fail(`products: cost ${cost} for ${price}`);
  if (!/^[0-9A-F]{32}$/.test(r[7])) fail(`products: sku ${r[7]}`);
  if (!['Men', 'Women'].includes(r[6])) fail(`products: department ${r[6]}`);
  const d = Number(r[8]); if (!(d >= 1 && d <= 10)) fail(`products: dc ${d}`);
  cats.add(r[2]);
});
if (cats.size !== 26) fail(`products: ${cats.size} categories`);

const loc = readTsv('locations.tsv', ['country', 'state', 'city', 'postal_code', 'latitude', 'longitude', 'population']);
if (loc.length < 5000) fail('locations: >= 5000 rows');
const BOX = { China: [18, 54, 73, 135], 'United States': [18, 72, -180, -66], Brasil: [-34, 6, -74, -28.8], 'South Korea': [33, 39, 124, 132],
  France: [41, 51.2, -5.2, 9.6], 'United Kingdom': [49.8, 61, -8.7, 2], Germany: [47.2, 55.1, 5.8, 15.1], Spain: [27.6, 43.8, -18.2, 4.4],
  Japan: [24, 45.6, 122.9, 146], Australia: [-44, -10, 112, 154], Belgium: [49.4, 51.6, 2.5, 6.5], Poland: [49, 55, 14, 24.2],
  Colombia: [-4.3, 13.5, -82, -66.8], Austria: [46.3, 49.1, 9.5, 17.2] };
const tot = {}; let all = 0;
for (const r of loc) {
  const b = BOX[r[0]]; const lat = Number(r[4]), lon = Number(r[5]), pop = Number(r[6]);
  if (!b) { fail(`locations: country ${r[0]}`); continue; }
  if (!(lat >= b[0] && lat <= b[1] && lon >= b[2] && lon <= b[3])) fail(`locations: ${r.join('|')} outside ${r[0]}`);
  if (!(pop > 0)) fail(`locations: population ${r[6]}`);
  tot[r[0]] = (tot[r[0]] || 0) + pop; all += pop;
}
console.log('locations: country shares of population weight');
for (const [c, p] of Object.entries(tot).sort((a, b) => b[1] - a[1])) console.log(`  ${c.padEnd(15)} ${(100 * p / all).toFixed(2)} %  (${loc.filter((r) => r[0] === c).length} rows)`);

for (const f of ['first_names_male.txt', 'first_names_female.txt', 'last_names.txt', 'street_names.txt', 'street_suffixes.txt', 'email_domains.txt']) {
  const lines = fs.readFileSync(path.join(dir, f), 'utf8').split('\n'); lines.pop();
  if (lines[0] !== 'name') fail(`${f}: header`);
  const vals = lines.slice(1);
  if (new Set(vals).size !== vals.length) fail(`${f}: duplicates`);
  if (vals.some((v) => !v || v !== v.trim() || v.includes('\t'))) fail(`${f}: bad value`);
  console.log(`${f}: ${vals.length}`);
}
if (bad) { console.error(`${bad} check(s) failed`); process.exit(1); }
console.log('all data checks passed');
