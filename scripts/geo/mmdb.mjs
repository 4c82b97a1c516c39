// A small MaxMind DB (MMDB) reader for the build: it walks the whole search tree and yields
// every network with its record. Written for logmap from the format's public specification
// (MaxMind DB File Format Specification 2.0); it reads what the ip-location-db files use.
//
//   const db = openMmdb(path);
//   db.metadata                        // { ip_version, record_size, node_count, database_type, build_epoch, ... }
//   db.walk((start, prefix, offset) => …)   // networks in address order; start is a BigInt,
//                                           // offset identifies the record (same offset = same record)
//   db.record(offset)                  // the decoded record (plain JS object)
//   db.lookup(bigintAddress)           // the record of one address, or null
import fs from 'node:fs';

const MARKER = Buffer.from([0xab, 0xcd, 0xef, ...Buffer.from('MaxMind.com')]);

export function openMmdb(file) {
  const buf = fs.readFileSync(file);
  const at = buf.lastIndexOf(MARKER);
  if (at < 0) throw new Error(`${file}: no MaxMind DB metadata marker`);
  const meta = decode(buf, at + MARKER.length, at + MARKER.length).value;
  const { node_count: nodeCount, record_size: recordSize, ip_version: ipVersion } = meta;
  if (![24, 28, 32].includes(recordSize)) throw new Error(`${file}: record size ${recordSize}`);
  const nodeBytes = (recordSize * 2) / 8;
  const treeSize = nodeCount * nodeBytes;
  const dataStart = treeSize + 16;
  const bits = ipVersion === 6 ? 128 : 32;

  function child(node, bit) {
    const o = node * nodeBytes;
    if (recordSize === 24) {
      return bit ? buf.readUIntBE(o + 3, 3) : buf.readUIntBE(o, 3);
    }
    if (recordSize === 28) {
      const mid = buf[o + 3];
      return bit ? ((mid & 0x0f) * 0x1000000) + buf.readUIntBE(o + 4, 3) : (((mid & 0xf0) >> 4) * 0x1000000) + buf.readUIntBE(o, 3);
    }
    return bit ? buf.readUInt32BE(o + 4) : buf.readUInt32BE(o);
  }

  const cache = new Map();
  function record(offset) {
    let r = cache.get(offset);
    if (r === undefined) {
      r = decode(buf, dataStart + offset, dataStart).value;
      cache.set(offset, r);
    }
    return r;
  }

  // Depth-first, left (0) before right (1): networks come out in address order.
  function walk(fn) {
    const stack = [[0, 0n, 0, false]]; // [node index or record offset, start, depth, is a record]
    while (stack.length) {
      const [v, start, depth, isRecord] = stack.pop();
      if (isRecord) { fn(start, depth, v); continue; }
      if (depth >= bits) throw new Error('search tree deeper than the address');
      for (const bit of [1, 0]) { // right pushed first, so the left half is walked first
        const c = child(v, bit);
        const s = bit ? start | (1n << BigInt(bits - 1 - depth)) : start;
        if (c < nodeCount) stack.push([c, s, depth + 1, false]);
        else if (c > nodeCount) stack.push([c - nodeCount - 16, s, depth + 1, true]);
      }
    }
  }

  function lookup(addr) {
    let node = 0;
    for (let depth = 0; depth < bits; depth++) {
      const bit = Number((addr >> BigInt(bits - 1 - depth)) & 1n);
      const v = child(node, bit);
      if (v === nodeCount) return null;
      if (v > nodeCount) return record(v - nodeCount - 16);
      node = v;
    }
    return null;
  }

  return { metadata: meta, walk, record, lookup, bits };
}

// Decodes one data field at `pos`; pointers are relative to `base`. Returns { value, next }.
function decode(buf, pos, base) {
  const ctrl = buf[pos++];
  let type = ctrl >> 5;
  if (type === 1) {
    const ss = (ctrl >> 3) & 3;
    const vvv = ctrl & 7;
    let p;
    if (ss === 0) { p = (vvv << 8) | buf[pos]; pos += 1; }
    else if (ss === 1) { p = ((vvv << 16) | buf.readUInt16BE(pos)) + 2048; pos += 2; }
    else if (ss === 2) { p = (vvv * 0x1000000 + buf.readUIntBE(pos, 3)) + 526336; pos += 3; }
    else { p = buf.readUInt32BE(pos); pos += 4; }
    return { value: decode(buf, base + p, base).value, next: pos };
  }
  if (type === 0) type = 7 + buf[pos++];
  let size = ctrl & 0x1f;
  if (size === 29) size = 29 + buf[pos++];
  else if (size === 30) { size = 285 + buf.readUInt16BE(pos); pos += 2; }
  else if (size === 31) { size = 65821 + buf.readUIntBE(pos, 3); pos += 3; }
  switch (type) {
    case 2: return { value: buf.toString('utf8', pos, pos + size), next: pos + size };
    case 3: return { value: buf.readDoubleBE(pos), next: pos + 8 };
    case 4: return { value: buf.subarray(pos, pos + size), next: pos + size };
    case 5: case 6: case 9: case 10: {
      let v = 0n;
      for (let i = 0; i < size; i++) v = (v << 8n) | BigInt(buf[pos + i]);
      return { value: v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v, next: pos + size };
    }
    case 8: {
      let v = 0;
      for (let i = 0; i < size; i++) v = (v * 256) + buf[pos + i];
      if (size === 4 && v >= 0x80000000) v -= 0x100000000;
      return { value: v, next: pos + size };
    }
    case 7: {
      const m = {};
      for (let i = 0; i < size; i++) {
        const k = decode(buf, pos, base); pos = k.next;
        const v = decode(buf, pos, base); pos = v.next;
        m[k.value] = v.value;
      }
      return { value: m, next: pos };
    }
    case 11: {
      const a = [];
      for (let i = 0; i < size; i++) { const v = decode(buf, pos, base); pos = v.next; a.push(v.value); }
      return { value: a, next: pos };
    }
    case 14: return { value: size !== 0, next: pos };
    case 15: return { value: buf.readFloatBE(pos), next: pos + 4 };
    default: throw new Error(`MMDB data type ${type} at ${pos}`);
  }
}
