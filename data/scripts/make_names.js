'use strict';
// Writes the name lists. Person and street names come from @faker-js/faker@10.6.0 (MIT)
// locale definitions (en, plus en_GB/en_AU/en_IE/en_CA last names when present);
// street suffixes and e-mail domains are written by the project.
const path = require('path');
const { writeList, srcRequire } = require('./tsv');

const out = process.argv[2] || path.join(__dirname, '..');
const faker = srcRequire('@faker-js/faker');
const en = faker.en;
const sorted = (a) => [...a].sort((x, y) => x.localeCompare(y, 'en'));
const ok = (s) => typeof s === 'string' && /^[\p{L}][\p{L}' .-]*$/u.test(s.trim());

writeList(path.join(out, 'first_names_male.txt'), sorted(en.person.first_name.male.filter(ok)));
writeList(path.join(out, 'first_names_female.txt'), sorted(en.person.first_name.female.filter(ok)));

const last = new Set(en.person.last_name.generic);
for (const loc of ['en_GB', 'en_AU', 'en_IE', 'en_CA', 'en_US']) {
  const ln = faker[loc] && faker[loc].person && faker[loc].person.last_name;
  if (ln && Array.isArray(ln.generic)) ln.generic.forEach((n) => last.add(n));
}
writeList(path.join(out, 'last_names.txt'), sorted([...last].filter(ok)));

// Street suffixes: project-written.
const SUFFIXES = ['Street', 'Avenue', 'Road', 'Boulevard', 'Lane', 'Drive', 'Court', 'Place', 'Way', 'Terrace',
  'Parkway', 'Circle', 'Trail', 'Square', 'Crescent', 'Highway', 'Pike', 'Row', 'Loop', 'Path'];
writeList(path.join(out, 'street_suffixes.txt'), SUFFIXES);

// Street names without their suffix: strip a trailing suffix word (faker's own suffix list + ours).
// (faker's own suffix list is not used for stripping: it holds words like Park, Hill, Lake, Mill that are
// also ordinary street names.)
const suffixWords = new Set([...SUFFIXES, 'Close', 'Gardens', 'Mews', 'St', 'Rd', 'Ave'].map((s) => s.toLowerCase()));
const streets = new Set();
const srcStreets = [...en.location.street_name, ...((faker.en_US && faker.en_US.location && faker.en_US.location.street_name) || [])];
for (const s of srcStreets) {
  const words = s.trim().split(/\s+/);
  if (words.length > 1 && suffixWords.has(words[words.length - 1].toLowerCase())) words.pop();
  const name = words.join(' ');
  // drop leftovers that still contain a suffix word ("Main Street E") or are too short ("A")
  if (name.length < 2 || words.some((w) => suffixWords.has(w.toLowerCase()))) continue;
  if (ok(name) || /^\d+(st|nd|rd|th)$/.test(name)) streets.add(name);
}
writeList(path.join(out, 'street_names.txt'), sorted(streets));

// E-mail domains: project-written (common free-mail providers plus reserved example domains).
writeList(path.join(out, 'email_domains.txt'), ['gmail.com', 'yahoo.com', 'hotmail.com', 'outlook.com', 'aol.com',
  'icloud.com', 'protonmail.com', 'mail.com', 'gmx.com', 'live.com', 'msn.com', 'yandex.com', 'zoho.com',
  'example.org', 'example.com', 'example.net']);
