// Takes the screenshots in docs/ from pages that `logmap map` wrote from real logs, with the
// same browser as the tests.
//
//   node web/test/screenshots.mjs PLAN.json
//
// Run through `cargo test --test browser -- --ignored --exact screenshots`, which renders
// the pages with the real binary and writes PLAN.json:
//   { "out": "docs", "shots": [ { "file": "map-dark-clusters.png", "page": "…html",
//     "scheme": "dark"|"light", "layers": ["Clusters", …] (clicked in order),
//     "view": [lat, lon, zoom] | "min" | null, "popup": "address" | null } ] }
// A page that logs a console or page error fails the run.

import { readFileSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launch, settle, waitReady } from './e2e.mjs';

const plan = JSON.parse(readFileSync(process.argv[2], 'utf8'));

async function toggle(page, name) {
  await page.locator('.leaflet-control-layers label', { hasText: name }).locator('input').click();
  await page.waitForTimeout(700);
  await waitReady(page);
}

const { context, close } = await launch();
const errors = [];
try {
  for (const shot of plan.shots) {
    const page = await context.newPage();
    await page.emulateMedia({ colorScheme: shot.scheme });
    page.on('console', (m) => { if (m.type() === 'error') errors.push(`${shot.file}: ${m.text()}`); });
    page.on('pageerror', (e) => errors.push(`${shot.file}: ${e}`));
    page.on('request', (r) => {
      const url = r.url();
      if (!url.startsWith('file:') && !url.startsWith('data:')) errors.push(`${shot.file}: request to ${url.slice(0, 100)}`);
    });
    await page.goto(pathToFileURL(resolve(shot.page)).href, { waitUntil: 'load' });
    await waitReady(page);
    for (const name of shot.layers || []) await toggle(page, name);
    if (shot.view === 'min') {
      await page.evaluate(() => { const m = window.__logmap.map; m.setZoom(m.getMinZoom(), { animate: false }); });
    } else if (Array.isArray(shot.view)) {
      await page.evaluate((v) => { window.__logmap.map.setView([v[0], v[1]], v[2], { animate: false }); }, shot.view);
    }
    await page.waitForTimeout(700);
    await waitReady(page);
    await settle(page);
    if (shot.popup) {
      const pt = await page.evaluate((ip) => window.__logmap.pointOf(ip), shot.popup);
      if (!pt) throw new Error(`${shot.file}: ${shot.popup} is not drawn`);
      await page.mouse.click(pt.x, pt.y);
      await page.waitForSelector('.leaflet-popup-content', { timeout: 5000 });
      // The marker on top may be another address drawn at the same point; its popup lists ours.
      const other = await page.$(`.leaflet-popup-content .same-place button[data-ip="${shot.popup}"]`);
      if (other) await other.click();
      await page.waitForTimeout(600);
      await settle(page);
    }
    const path = join(plan.out, shot.file);
    await page.screenshot({ path });
    process.stdout.write(`${path}  ${shot.note || ''}\n`);
    await page.close();
  }
} finally {
  await close();
}
if (errors.length) {
  process.stderr.write(`${errors.join('\n')}\n`);
  process.exit(1);
}
