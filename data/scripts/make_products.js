'use strict';
// Writes data/products.tsv: a deterministic, project-generated apparel catalogue
// (~29,000 products) modelled on theLook eCommerce's catalogue shape.
// All word lists below are written by the project. Brand names are invented
// compositions, not real trademarks.
const crypto = require('crypto');
const path = require('path');
const { writeTsv, rng, fmt } = require('./tsv');

const out = process.argv[2] || path.join(__dirname, '..');
const rand = rng(20240611);
const pick = (arr) => arr[Math.floor(rand() * arr.length)];
const uniform = (a, b) => a + (b - a) * rand();
function normal() {
  let u = 0; while (u === 0) u = rand();
  const v = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

// ---- brands: ~300 invented names composed from project-written parts ----
const BRAND_ROOTS = [
  'Harbor', 'Willow', 'Northfield', 'Cedar', 'Ashby', 'Marlow', 'Redwood', 'Bramble', 'Calloway', 'Juniper',
  'Sterling', 'Hollis', 'Everly', 'Fairmont', 'Granite', 'Halden', 'Ivory', 'Kestrel', 'Linden', 'Maple',
  'Nova', 'Oakhurst', 'Pemberton', 'Quincy', 'Rosewood', 'Saffron', 'Tamsin', 'Umber', 'Vesper', 'Wexford',
  'Yardley', 'Zephyr', 'Alder', 'Birch', 'Coastal', 'Driftwood', 'Ember', 'Foxglove', 'Greyson', 'Hazel',
];
const BRAND_FORMS = [
  (a) => `${a} & Co.`, (a) => `${a} Apparel`, (a) => `${a} Supply`, (a) => `${a} Studio`,
  (a) => `House of ${a}`, (a) => `${a} Denim`, (a) => `${a} Athletic`, (a) => `${a} Knitwear`,
  (a) => `${a} Outfitters`, (a) => `${a} Collective`, (a) => `${a} Threads`, (a) => `${a} Goods`,
  (a) => `${a} & Lane`, (a) => `${a} Basics`, (a) => `${a} Atelier`, (a) => `${a} Mills`,
  (a) => `${a} Wear`, (a) => `${a} Label`, (a) => `${a} Tailors`, (a) => `${a} Sport`,
  (a) => `${a}`,
];
const BRAND_SINGLE = [
  'Lumen', 'Solace', 'Kindred', 'Parlor', 'Meridian', 'Arrowhead', 'Bellweather', 'Cobalt', 'Dunmore', 'Elmira',
  'Fathom', 'Gallant', 'Heirloom', 'Indigo Row', 'Jasper Lane', 'Kittering', 'Larkspur', 'Moxie', 'Nimbus', 'Orchard Street',
  'Pacifica', 'Quarry', 'Rambler', 'Sable', 'Tidewater', 'Upland', 'Velour', 'Wanderly', 'Yonder', 'Zinnia',
  'Blue Harbor', 'True North', 'Wild Fern', 'Silver Birch', 'Urban Loom', 'Soft Anchor', 'Night Owl', 'Good Thread', 'Little Fox', 'Big Sky',
];
function makeBrands() {
  const set = new Set(BRAND_SINGLE);
  const r = rng(7);
  // deterministic walk over root x form combinations
  const combos = [];
  for (const a of BRAND_ROOTS) for (const f of BRAND_FORMS) combos.push(f(a));
  for (let i = combos.length - 1; i > 0; i--) { const j = Math.floor(r() * (i + 1)); [combos[i], combos[j]] = [combos[j], combos[i]]; }
  for (const c of combos) { if (set.size >= 300) break; set.add(c); }
  return [...set];
}
const BRANDS = makeBrands();
// Zipf-like brand popularity: a few big brands, a long tail.
const brandCum = [];
{ let s = 0; BRANDS.forEach((_, i) => { s += 1 / Math.pow(i + 1, 0.8); brandCum.push(s); }); }
function pickBrand() {
  const x = rand() * brandCum[brandCum.length - 1];
  let lo = 0, hi = brandCum.length - 1;
  while (lo < hi) { const m = (lo + hi) >> 1; if (brandCum[m] < x) lo = m + 1; else hi = m; }
  return BRANDS[lo];
}

const COLOURS = ['Black', 'White', 'Navy', 'Heather Grey', 'Charcoal', 'Ivory', 'Burgundy', 'Olive', 'Khaki', 'Camel',
  'Blush', 'Dusty Rose', 'Coral', 'Mustard', 'Teal', 'Forest Green', 'Sky Blue', 'Cobalt', 'Lavender', 'Plum',
  'Rust', 'Sand', 'Stone', 'Indigo', 'Red', 'Emerald', 'Mint', 'Chocolate', 'Cream', 'Slate'];
const PATTERNS = ['Striped', 'Floral', 'Plaid', 'Polka Dot', 'Solid', 'Heathered', 'Camo', 'Paisley', 'Houndstooth', 'Color Block', 'Tie-Dye', 'Graphic', 'Leopard Print', 'Gingham'];
const ADJ = ['Classic', 'Essential', 'Everyday', 'Vintage', 'Modern', 'Relaxed', 'Premium', 'Lightweight', 'Soft', 'Cozy',
  'Tailored', 'Signature', 'Heritage', 'Performance', 'Luxe', 'Casual', 'Weekend', 'Urban', 'Seamless', 'Washed'];

// per-category: materials, style words, nouns, price median (USD), sigma, department(s), counts
// counts: [women, men] number of products
const CATS = {
  'Accessories': { n: [900, 800], med: 28, sd: 0.75, mat: ['Leather', 'Wool', 'Cotton', 'Canvas', 'Faux Fur', 'Knit', 'Silk', 'Straw'],
    sty: ['Reversible', 'Adjustable', 'Classic', 'Vintage', 'Woven'], noun: { W: ['Scarf', 'Belt', 'Beanie', 'Sun Hat', 'Gloves', 'Headband', 'Tote Bag', 'Crossbody Bag', 'Wallet', 'Sunglasses', 'Hair Clip Set'], M: ['Belt', 'Baseball Cap', 'Beanie', 'Wallet', 'Tie', 'Bow Tie', 'Scarf', 'Gloves', 'Sunglasses', 'Suspenders', 'Pocket Square'] } },
  'Active': { n: [1000, 950], med: 38, sd: 0.55, mat: ['Moisture-Wicking', 'Dri-Tech', 'Stretch Jersey', 'Mesh', 'Recycled Poly', 'Quick-Dry'],
    sty: ['Training', 'Running', 'Yoga', 'Performance', 'Compression', 'Studio'], noun: { W: ['Sports Bra', 'Tank', 'Running Shorts', 'Track Jacket', 'Capri Tights', 'Workout Tee', 'Quarter-Zip'], M: ['Training Tee', 'Running Shorts', 'Track Pants', 'Compression Shirt', 'Quarter-Zip', 'Joggers', 'Tank'] } },
  'Blazers & Jackets': { n: [1100, 0], med: 85, sd: 0.6, mat: ['Linen', 'Tweed', 'Ponte Knit', 'Cotton Twill', 'Faux Leather', 'Denim', 'Crepe', 'Velvet'],
    sty: ['Single-Button', 'Double-Breasted', 'Cropped', 'Boyfriend', 'Open-Front', 'Fitted'], noun: { W: ['Blazer', 'Jacket', 'Moto Jacket', 'Bomber Jacket', 'Jean Jacket', 'Shrug'] } },
  'Clothing Sets': { n: [100, 0], med: 55, sd: 0.6, mat: ['Cotton', 'Knit', 'Satin', 'Jersey', 'Linen Blend'],
    sty: ['Two-Piece', 'Matching', 'Coordinated', 'Three-Piece'], noun: { W: ['Top and Shorts Set', 'Top and Pants Set', 'Skirt Set', 'Lounge Set', 'Jogger Set'] } },
  'Dresses': { n: [1600, 0], med: 65, sd: 0.65, mat: ['Chiffon', 'Jersey', 'Lace', 'Satin', 'Crepe', 'Cotton', 'Linen', 'Sequin', 'Velvet'],
    sty: ['Wrap', 'Maxi', 'Midi', 'Sheath', 'Shift', 'A-Line', 'Bodycon', 'Fit and Flare', 'Slip', 'Sweater'], noun: { W: ['Dress', 'Maxi Dress', 'Cocktail Dress', 'Sundress', 'Evening Gown', 'Shirt Dress'] } },
  'Fashion Hoodies & Sweatshirts': { n: [1000, 1200], med: 45, sd: 0.55, mat: ['Fleece', 'French Terry', 'Cotton Blend', 'Sherpa', 'Heavyweight Cotton'],
    sty: ['Pullover', 'Full-Zip', 'Crewneck', 'Oversized', 'Cropped', 'Graphic'], noun: { W: ['Hoodie', 'Sweatshirt', 'Zip Hoodie', 'Crew Sweatshirt'], M: ['Hoodie', 'Sweatshirt', 'Zip Hoodie', 'Crew Sweatshirt', 'Half-Zip Pullover'] } },
  'Intimates': { n: [2300, 0], med: 24, sd: 0.6, mat: ['Lace', 'Microfiber', 'Cotton', 'Satin', 'Mesh', 'Modal'],
    sty: ['Push-Up', 'Wireless', 'Seamless', 'Balconette', 'Plunge', 'High-Waist', 'No-Show'], noun: { W: ['Bra', 'Bralette', 'Panty', 'Thong', 'Hipster Brief', 'Camisole', 'Shapewear Slip', 'Bodysuit', 'Chemise'] } },
  'Jeans': { n: [1050, 1200], med: 72, sd: 0.6, mat: ['Stretch Denim', 'Rigid Denim', 'Selvedge Denim', 'Raw Denim', 'Organic Cotton Denim', 'Washed Denim'],
    sty: ['Slim Fit', 'Skinny', 'Straight Leg', 'Bootcut', 'Relaxed Fit', 'High-Rise', 'Mid-Rise', 'Tapered', 'Wide Leg', 'Distressed'], noun: { W: ['Jeans', 'Boyfriend Jeans', 'Mom Jeans', 'Cropped Jeans', 'Flare Jeans'], M: ['Jeans', 'Five-Pocket Jeans', 'Carpenter Jeans', 'Athletic Fit Jeans'] } },
  'Jumpsuits & Rompers': { n: [350, 0], med: 55, sd: 0.55, mat: ['Cotton', 'Chambray', 'Crepe', 'Jersey', 'Linen', 'Denim'],
    sty: ['Strapless', 'Wide-Leg', 'Belted', 'Off-the-Shoulder', 'Halter', 'Utility'], noun: { W: ['Jumpsuit', 'Romper', 'Playsuit', 'Overalls'] } },
  'Leggings': { n: [500, 0], med: 28, sd: 0.5, mat: ['Cotton Spandex', 'Fleece-Lined', 'Faux Leather', 'Nylon Stretch', 'Brushed Jersey'],
    sty: ['High-Waist', 'Ankle', 'Capri', 'Printed', 'Footless', 'Seamless'], noun: { W: ['Leggings', 'Jeggings', 'Stirrup Leggings'] } },
  'Maternity': { n: [900, 0], med: 42, sd: 0.55, mat: ['Cotton Stretch', 'Jersey', 'Modal', 'Denim', 'Rayon'],
    sty: ['Over-the-Belly', 'Nursing', 'Ruched', 'Empire Waist', 'Wrap'], noun: { W: ['Maternity Dress', 'Maternity Jeans', 'Maternity Top', 'Nursing Bra', 'Maternity Leggings', 'Maternity Tank'] } },
  'Outerwear & Coats': { n: [900, 1100], med: 120, sd: 0.7, mat: ['Wool Blend', 'Down', 'Quilted', 'Waxed Cotton', 'Faux Shearling', 'Nylon', 'Gore-Tex', 'Leather'],
    sty: ['Hooded', 'Insulated', 'Water-Resistant', 'Packable', 'Belted', 'Double-Breasted', 'Longline'], noun: { W: ['Parka', 'Trench Coat', 'Puffer Jacket', 'Peacoat', 'Rain Jacket', 'Wrap Coat', 'Vest'], M: ['Parka', 'Puffer Jacket', 'Peacoat', 'Overcoat', 'Field Jacket', 'Rain Jacket', 'Bomber Jacket', 'Vest', 'Leather Jacket'] } },
  'Pants': { n: [0, 1050], med: 52, sd: 0.55, mat: ['Cotton Twill', 'Chino', 'Wool', 'Corduroy', 'Linen', 'Stretch Cotton', 'Ripstop'],
    sty: ['Flat-Front', 'Pleated', 'Slim Fit', 'Relaxed Fit', 'Straight Fit', 'Cargo', 'Tapered'], noun: { M: ['Chinos', 'Trousers', 'Dress Pants', 'Cargo Pants', 'Khakis', 'Joggers', 'Work Pants'] } },
  'Pants & Capris': { n: [1100, 0], med: 48, sd: 0.55, mat: ['Crepe', 'Linen', 'Stretch Twill', 'Ponte', 'Cotton Sateen', 'Corduroy'],
    sty: ['Wide-Leg', 'Cropped', 'Straight', 'Pull-On', 'Paperbag Waist', 'Palazzo', 'Skinny'], noun: { W: ['Pants', 'Capris', 'Trousers', 'Culottes', 'Chinos', 'Joggers'] } },
  'Plus': { n: [1300, 0], med: 42, sd: 0.6, mat: ['Jersey', 'Stretch Cotton', 'Chiffon', 'Denim', 'Knit', 'Rayon'],
    sty: ['Plus Size', 'Plus Size Wrap', 'Plus Size Peplum', 'Plus Size Tunic', 'Plus Size Stretch'], noun: { W: ['Top', 'Dress', 'Jeans', 'Cardigan', 'Blouse', 'Leggings', 'Skirt', 'Tunic'] } },
  'Shorts': { n: [900, 950], med: 34, sd: 0.5, mat: ['Denim', 'Cotton Twill', 'Linen', 'Chambray', 'Nylon', 'Seersucker'],
    sty: ['Cargo', 'Bermuda', 'Flat-Front', 'High-Rise', 'Cutoff', 'Pleated', 'Drawstring'], noun: { W: ['Shorts', 'Denim Shorts', 'Bike Shorts', 'Paperbag Shorts'], M: ['Shorts', 'Chino Shorts', 'Cargo Shorts', 'Hybrid Shorts', 'Denim Shorts'] } },
  'Skirts': { n: [550, 0], med: 45, sd: 0.55, mat: ['Denim', 'Leather', 'Pleated Chiffon', 'Tweed', 'Satin', 'Cotton', 'Tulle'],
    sty: ['Pencil', 'A-Line', 'Midi', 'Mini', 'Maxi', 'Wrap', 'Pleated'], noun: { W: ['Skirt', 'Skort'] } },
  'Sleep & Lounge': { n: [1400, 700], med: 32, sd: 0.55, mat: ['Flannel', 'Modal', 'Cotton', 'Satin', 'Fleece', 'Waffle Knit'],
    sty: ['Button-Front', 'Drawstring', 'Cozy', 'Lightweight', 'Printed'], noun: { W: ['Pajama Set', 'Nightgown', 'Robe', 'Sleep Shirt', 'Lounge Pants', 'Sleep Shorts'], M: ['Pajama Set', 'Robe', 'Lounge Pants', 'Sleep Shorts', 'Sleep Tee'] } },
  'Socks': { n: [0, 700], med: 11, sd: 0.55, mat: ['Cotton', 'Merino Wool', 'Bamboo', 'Cushioned', 'Nylon Blend'],
    sty: ['Crew', 'Ankle', 'No-Show', 'Dress', 'Athletic', 'Boot'], noun: { M: ['Socks', 'Socks 3-Pack', 'Socks 6-Pack', 'Dress Socks'] } },
  'Socks & Hosiery': { n: [550, 0], med: 12, sd: 0.55, mat: ['Nylon', 'Cotton', 'Sheer', 'Wool Blend', 'Opaque', 'Fishnet'],
    sty: ['Knee-High', 'Thigh-High', 'Control Top', 'Ankle', 'No-Show', 'Footless'], noun: { W: ['Tights', 'Pantyhose', 'Socks', 'Stockings', 'Leg Warmers'] } },
  'Suits': { n: [200, 0], med: 130, sd: 0.55, mat: ['Wool', 'Crepe', 'Linen', 'Stretch Twill', 'Tweed'],
    sty: ['Two-Piece', 'Pant', 'Skirt', 'Tailored', 'Slim'], noun: { W: ['Suit', 'Pant Suit', 'Skirt Suit', 'Suit Jacket', 'Suit Separates'] } },
  'Suits & Sport Coats': { n: [0, 750], med: 190, sd: 0.7, mat: ['Wool', 'Wool Blend', 'Linen', 'Tweed', 'Seersucker', 'Velvet', 'Cotton'],
    sty: ['Slim Fit', 'Classic Fit', 'Modern Fit', 'Two-Button', 'Double-Breasted', 'Peak Lapel'], noun: { M: ['Suit', 'Sport Coat', 'Blazer', 'Tuxedo', 'Suit Jacket', 'Vest', 'Dress Pants'] } },
  'Sweaters': { n: [1300, 1000], med: 60, sd: 0.65, mat: ['Cashmere', 'Merino Wool', 'Cotton', 'Cable-Knit', 'Mohair Blend', 'Alpaca', 'Acrylic'],
    sty: ['Crewneck', 'V-Neck', 'Turtleneck', 'Cardigan', 'Quarter-Zip', 'Oversized', 'Cropped'], noun: { W: ['Sweater', 'Cardigan', 'Pullover', 'Tunic Sweater', 'Sweater Vest'], M: ['Sweater', 'Cardigan', 'Pullover', 'Sweater Vest', 'Shawl Collar Sweater'] } },
  'Swim': { n: [1300, 650], med: 38, sd: 0.55, mat: ['Nylon', 'Recycled Nylon', 'Polyester', 'Lycra'],
    sty: ['Halter', 'Triangle', 'High-Waist', 'Ruched', 'Quick-Dry', 'Board', 'Retro'], noun: { W: ['Bikini Top', 'Bikini Bottom', 'One-Piece Swimsuit', 'Tankini', 'Cover-Up', 'Rash Guard'], M: ['Swim Trunks', 'Board Shorts', 'Rash Guard', 'Swim Briefs'] } },
  'Tops & Tees': { n: [1900, 1900], med: 28, sd: 0.6, mat: ['Cotton', 'Jersey', 'Slub Cotton', 'Linen', 'Modal', 'Pima Cotton', 'Chiffon', 'Oxford Cloth'],
    sty: ['Crewneck', 'V-Neck', 'Long Sleeve', 'Short Sleeve', 'Sleeveless', 'Henley', 'Button-Down', 'Graphic', 'Pocket'], noun: { W: ['Tee', 'Blouse', 'Tank Top', 'Tunic', 'Camisole', 'Shirt', 'Peplum Top', 'Bodysuit'], M: ['Tee', 'Polo Shirt', 'Henley', 'Oxford Shirt', 'Flannel Shirt', 'Tank Top', 'Dress Shirt', 'Long Sleeve Tee'] } },
  'Underwear': { n: [0, 900], med: 20, sd: 0.55, mat: ['Cotton', 'Cotton Stretch', 'Microfiber', 'Modal', 'Bamboo'],
    sty: ['Boxer', 'Trunk', 'Brief', 'Low-Rise', 'Classic', 'Performance'], noun: { M: ['Boxer Briefs', 'Briefs', 'Boxers', 'Trunks', 'Undershirt', 'Boxer Briefs 3-Pack'] } },
};

const PRICE_SCALE = 1.2;
const rows = [];
const seenNames = new Set();
const plan = [];
for (const [cat, c] of Object.entries(CATS)) {
  if (c.n[0] > 0) plan.push(['Women', cat, c.n[0]]);
  if (c.n[1] > 0) plan.push(['Men', cat, c.n[1]]);
}
// Build the list of (department, category) slots, then shuffle so ids are mixed.
// The count table above is relative; scale it to TARGET products in total.
const TARGET = 29120;
const planned = plan.reduce((s, p) => s + p[2], 0);
const slots = [];
for (const [dept, cat, n] of plan) {
  const k = Math.round(n * TARGET / planned);
  for (let i = 0; i < k; i++) slots.push([dept, cat]);
}
for (let i = slots.length - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); [slots[i], slots[j]] = [slots[j], slots[i]]; }

function makeName(brand, dept, c) {
  const nouns = c.noun[dept === 'Women' ? 'W' : 'M'];
  const parts = [brand, dept === 'Women' ? "Women's" : "Men's"];
  const r = rand();
  if (r < 0.35) parts.push(pick(COLOURS));
  else if (r < 0.5) parts.push(pick(PATTERNS));
  if (rand() < 0.3) parts.push(pick(ADJ));
  parts.push(pick(c.sty));
  if (rand() < 0.6) parts.push(pick(c.mat));
  parts.push(pick(nouns));
  return parts.join(' ');
}

slots.forEach(([dept, cat], idx) => {
  const id = idx + 1;
  const c = CATS[cat];
  const brand = pickBrand();
  let name = makeName(brand, dept, c);
  for (let t = 0; t < 12 && seenNames.has(name); t++) name = makeName(brand, dept, c);
  seenNames.add(name);
  // PRICE_SCALE lifts the catalogue median to ~50 USD (theLook median).
  let price = PRICE_SCALE * c.med * Math.exp(c.sd * normal());
  price = Math.min(999, Math.max(1.5, price));
  // psychological price endings: .99 / .95 / .00 / .50 / any cents
  const e = rand();
  let retail;
  if (e < 0.45) retail = Math.floor(price) + 0.99;
  else if (e < 0.6) retail = Math.floor(price) + 0.95;
  else if (e < 0.75) retail = Math.round(price);
  else if (e < 0.82) retail = Math.floor(price) + 0.5;
  else retail = Math.round(price * 100) / 100;
  retail = Math.min(999.99, Math.max(1.5, retail));
  const cost = retail * uniform(0.40, 0.60);
  const sku = crypto.createHash('md5').update(`thelook-product-${id}`).digest('hex').toUpperCase();
  const dc = 1 + Math.floor(rand() * 10);
  rows.push([id, fmt(cost, 6), cat, name, brand, retail.toFixed(2), dept, sku, dc]);
});

writeTsv(path.join(out, 'products.tsv'),
  ['id', 'cost', 'category', 'name', 'brand', 'retail_price', 'department', 'sku', 'distribution_center_id'], rows);
console.log(`  brands: ${BRANDS.length}, distinct names: ${seenNames.size}`);
