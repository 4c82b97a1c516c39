// Takes the screenshots in docs/ from generated pages, with the same browser as the tests.
//
//   node web/test/screenshots.mjs DEMO.html SMALL.html OUT_DIR
//
// Run through `cargo test --test browser -- --ignored screenshots`, which writes the pages.

import { resolve, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launch, waitReady } from './e2e.mjs';

const [demo, small, outDir] = process.argv.slice(2);

async function open(context, file, scheme) {
  const page = await context.newPage();
  await page.emulateMedia({ colorScheme: scheme });
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(pathToFileURL(resolve(file)).href, { waitUntil: 'load' });
  await waitReady(page);
  await page.waitForTimeout(600);
  return { page, errors };
}

async function toggle(page, name) {
  await page.locator('.leaflet-control-layers label', { hasText: name }).locator('input').click();
  await page.waitForTimeout(700);
  await waitReady(page);
}

async function shot(page, name) {
  const path = join(outDir, name);
  await page.screenshot({ path });
  process.stdout.write(`${path}\n`);
}

const { context, close } = await launch();
const errors = [];
try {
  // Clusters on the dark basemap (the default for a dark-scheme reader).
  let { page, errors: e1 } = await open(context, demo, 'dark');
  errors.push(e1);
  await shot(page, 'map-dark-clusters.png');

  // Markers and a popup on the light basemap.
  await toggle(page, 'Offline map, light');
  await toggle(page, 'Clusters');
  await toggle(page, 'Markers');
  await page.evaluate(() => { window.__logmap.map.setView([48, 15], 4, { animate: false }); });
  await page.waitForTimeout(600);
  await shot(page, 'map-light-markers.png');

  // Heat map and choropleth, dark.
  await toggle(page, 'Offline map, dark');
  await toggle(page, 'Markers');
  await toggle(page, 'Heat map');
  await page.evaluate(() => { window.__logmap.map.setZoom(window.__logmap.map.getMinZoom(), { animate: false }); });
  await page.waitForTimeout(800);
  await shot(page, 'map-dark-heat.png');
  await toggle(page, 'Heat map');
  await toggle(page, 'Countries (choropleth)');
  await shot(page, 'map-dark-choropleth.png');
  await page.close();

  // A popup, and the antimeridian (Chukotka, Fiji) on the small fixture.
  ({ page } = await open(context, small, 'light'));
  const pt = await page.evaluate(() => window.__logmap.pointOf('192.0.2.30'));
  await page.mouse.click(pt.x, pt.y);
  await page.waitForTimeout(500);
  await shot(page, 'map-light-popup.png');
  await page.evaluate(() => { window.__logmap.map.closePopup(); window.__logmap.map.setView([50, 178], 3.5, { animate: false }); });
  await page.waitForTimeout(600);
  await shot(page, 'map-light-antimeridian.png');
  await page.close();
} finally {
  await close();
}
const flat = errors.flat();
if (flat.length) {
  process.stderr.write(`console errors: ${flat.join('\n')}\n`);
  process.exit(1);
}
