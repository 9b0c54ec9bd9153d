'use strict';
// Small shared helpers for the data scripts: TSV writing, sanitising, seeded PRNG.
const fs = require('fs');
const path = require('path');

function clean(v) {
  return String(v).replace(/[\t\r\n]+/g, ' ').replace(/\s+/g, ' ').trim();
}

function writeTsv(file, header, rows) {
  const lines = [header.join('\t')];
  for (const r of rows) {
    if (r.length !== header.length) throw new Error(`${file}: bad row width ${JSON.stringify(r)}`);
    lines.push(r.map(clean).join('\t'));
  }
  fs.writeFileSync(file, lines.join('\n') + '\n', 'utf8');
  console.log(`wrote ${path.basename(file)}: ${rows.length} rows`);
}

function writeList(file, values) {
  const seen = new Set();
  const out = [];
  for (const v of values) {
    const c = clean(v);
    if (c && !seen.has(c)) { seen.add(c); out.push(c); }
  }
  fs.writeFileSync(file, ['name', ...out].join('\n') + '\n', 'utf8');
  console.log(`wrote ${path.basename(file)}: ${out.length} rows`);
  return out.length;
}

// mulberry32: small, fast, deterministic 32-bit PRNG.
function rng(seed) {
  let a = seed >>> 0;
  return function () {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Trim trailing zeros of a fixed-decimals number ("12.500000" -> "12.5").
function fmt(x, dec) {
  let s = x.toFixed(dec);
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  if (s === '-0') s = '0';
  return s;
}

function srcDir() {
  return process.env.THELOOK_DATA_SRC || '/tmp/thelook-data-src';
}

function srcRequire(name) {
  return require(path.join(srcDir(), 'node_modules', name));
}

module.exports = { clean, writeTsv, writeList, rng, fmt, srcDir, srcRequire };
