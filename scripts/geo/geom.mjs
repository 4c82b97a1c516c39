// Small planar geometry helpers for the country table: area, point-in-polygon, and the pole of
// inaccessibility (the interior point farthest from the outline), found by a best-first search
// over square cells. Coordinates are [lon, lat]; x is scaled by cos(latitude) around the polygon
// so that distances are roughly isotropic.

// Area of a ring in square degrees, scaled by cos(mean latitude).
export function ringArea(ring) {
  let a = 0, lat = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    a += (ring[j][0] - ring[i][0]) * (ring[j][1] + ring[i][1]);
    lat += ring[i][1];
  }
  return Math.abs(a / 2) * Math.cos(((lat / ring.length) * Math.PI) / 180);
}

function inRing(x, y, ring) {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i], [xj, yj] = ring[j];
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

// polygon = [outer ring, ...holes]
export function pointInPolygon([x, y], polygon) {
  if (!inRing(x, y, polygon[0])) return false;
  for (let k = 1; k < polygon.length; k++) if (inRing(x, y, polygon[k])) return false;
  return true;
}

function segDist2(px, py, ax, ay, bx, by) {
  let dx = bx - ax, dy = by - ay;
  let x = ax, y = ay;
  if (dx !== 0 || dy !== 0) {
    const t = ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy);
    if (t > 1) { x = bx; y = by; } else if (t > 0) { x += dx * t; y += dy * t; }
  }
  dx = px - x; dy = py - y;
  return dx * dx + dy * dy;
}

// signed distance from (x, y) to the polygon outline (positive inside), in scaled units
function signedDist(x, y, poly) {
  let inside = false, min = Infinity;
  for (const ring of poly) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i], [xj, yj] = ring[j];
      if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
      min = Math.min(min, segDist2(x, y, xi, yi, xj, yj));
    }
  }
  return (inside ? 1 : -1) * Math.sqrt(min);
}

class MaxHeap {
  constructor() { this.a = []; }
  get size() { return this.a.length; }
  push(v) { const a = this.a; a.push(v); let i = a.length - 1; while (i > 0) { const p = (i - 1) >> 1; if (a[p].max >= a[i].max) break; [a[p], a[i]] = [a[i], a[p]]; i = p; } }
  pop() {
    const a = this.a; const top = a[0]; const last = a.pop();
    if (a.length) { a[0] = last; let i = 0; for (;;) { const l = 2 * i + 1, r = l + 1; let m = i; if (l < a.length && a[l].max > a[m].max) m = l; if (r < a.length && a[r].max > a[m].max) m = r; if (m === i) break; [a[m], a[i]] = [a[i], a[m]]; i = m; } }
    return top;
  }
}

// Pole of inaccessibility of one polygon, returned as [lon, lat].
export function polylabel(polygon, precisionFraction = 1e-4) {
  let w = Infinity, s = Infinity, e = -Infinity, n = -Infinity;
  for (const [x, y] of polygon[0]) { w = Math.min(w, x); e = Math.max(e, x); s = Math.min(s, y); n = Math.max(n, y); }
  const k = Math.cos((((s + n) / 2) * Math.PI) / 180);
  const poly = polygon.map((ring) => ring.map(([x, y]) => [x * k, y]));
  const minX = w * k, maxX = e * k;
  const width = maxX - minX, height = n - s;
  const size = Math.min(width, height);
  if (size === 0) return [w, s];
  const precision = Math.max(width, height) * precisionFraction;
  const cell = (x, y, h) => { const d = signedDist(x, y, poly); return { x, y, h, d, max: d + h * Math.SQRT2 }; };
  const heap = new MaxHeap();
  let h = size / 2;
  for (let x = minX; x < maxX; x += size) for (let y = s; y < n; y += size) heap.push(cell(x + h, y + h, h));
  // start from the centroid of the outer ring and the bbox centre, whichever is better
  let best = cell((minX + maxX) / 2, (s + n) / 2, 0);
  const cen = ringCentroid(poly[0]);
  const c2 = cell(cen[0], cen[1], 0);
  if (c2.d > best.d) best = c2;
  let guard = 0;
  while (heap.size && guard++ < 2_000_000) {
    const c = heap.pop();
    if (c.d > best.d) best = c;
    if (c.max - best.d <= precision) continue;
    h = c.h / 2;
    heap.push(cell(c.x - h, c.y - h, h)); heap.push(cell(c.x + h, c.y - h, h));
    heap.push(cell(c.x - h, c.y + h, h)); heap.push(cell(c.x + h, c.y + h, h));
  }
  return [best.x / k, best.y];
}

function ringCentroid(ring) {
  let x = 0, y = 0, a = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const f = ring[i][0] * ring[j][1] - ring[j][0] * ring[i][1];
    x += (ring[i][0] + ring[j][0]) * f; y += (ring[i][1] + ring[j][1]) * f; a += f * 3;
  }
  return a === 0 ? ring[0] : [x / a, y / a];
}
