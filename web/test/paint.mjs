// Time to first paint of a map page in headless Chromium, for bench/map.sh.
//
//   node web/test/paint.mjs PAGE.html [RUNS]
//
// Opens the page from file:// RUNS times (default 3), each in a fresh tab, and measures the
// time from the start of navigation until the page says it is ready (data decoded, basemap
// and the first layer drawn: clusters for more than 300 placed addresses), then one more
// animation frame so the paint happened. Prints one JSON line: every run's milliseconds, the
// median, and what was drawn (cluster icons, markers, addresses) in the last run.

import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launch } from './e2e.mjs';

const [file, runsArg] = process.argv.slice(2);
const runs = Number(runsArg) || 3;
const { context, close } = await launch();
const times = [];
let drawn = null;
const errors = [];
try {
  for (let k = 0; k < runs; k++) {
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    const t = Date.now();
    await page.goto(pathToFileURL(resolve(file)).href, { waitUntil: 'commit', timeout: 120000 });
    await page.waitForFunction(() => window.__logmap && window.__logmap.ready(), null, { polling: 20, timeout: 120000 });
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
    times.push(Date.now() - t);
    drawn = await page.evaluate(() => {
      let markers = 0;
      window.__logmap.map.eachLayer((l) => { if (l.logmapIndex !== undefined) markers += 1; });
      return {
        clusters: document.querySelectorAll('.leaflet-marker-pane .cluster').length,
        markers,
        addresses: window.__logmap.total
      };
    });
    await page.close();
  }
} finally {
  await close();
}
const sorted = [...times].sort((a, b) => a - b);
process.stdout.write(JSON.stringify({ runs: times, median: sorted[Math.floor(sorted.length / 2)], drawn, errors }) + '\n');
