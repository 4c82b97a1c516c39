// Drives the map page in a real headless Chromium and reports what it saw, as JSON on stdout.
//
//   node web/test/e2e.mjs PAGE.html STEPS.json
//
// STEPS.json is a list of steps; each step's result is one entry of `steps` in the output:
//   {"do": "observe"}                      → markers drawn, cluster icons and their counts (and,
//                                            per cluster, its addresses and icon colours),
//                                            totals, legend and panel text
//   {"do": "clickMarker", "ip": "…"}      → clicks where the address is drawn; popup text + HTML,
//                                            the address it is about, user names, the addresses
//                                            it lists as drawn at the same point
//   {"do": "popupPick", "ip": "…"}        → in the open popup, clicks that same-point address
//                                            (nothing to do when the popup is already about it)
//   {"do": "pixel", "ip": "…"}            → the colour drawn at the centre of the address's marker
//   {"do": "pixel", "lat": 0, "lon": 0}    → the colour drawn there (error: nothing painted = sea)
//     with "around": d                     → also `ring`: the colours d pixels left, right, above
//                                            and below the centre
//   {"do": "clickRow", "list": "top-countries", "index": 0}
//   {"do": "clearFilter"}
//   {"do": "range", "from": 0, "to": 3}    → moves the time sliders (real input events)
//   {"do": "layer", "name": "Heat map"}    → clicks the layer control's checkbox or radio
//   {"do": "zoom", "lat": 0, "lon": 0, "zoom": 3}
//   {"do": "screenshot", "path": "…png"}
//   {"do": "wait", "ms": 500}
// Steps that click or read pixels first wait until the map stands still (`settle`): opening a
// popup pans the map (autoPan, then back inside maxBounds) for a few hundred milliseconds, and
// a point computed during the pan is stale by the time it is used.
// Besides the steps it reports every request the page made, console errors, page errors,
// whether `window.__pwned` was ever set, and elements that carry event-handler attributes.
//
// The browser is Debian's chromium (CHROMIUM env var to override); playwright-core only
// drives it and never downloads a browser.

import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

export async function launch() {
  const profile = mkdtempSync(join(tmpdir(), 'logmap-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 860 },
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-default-apps', '--disable-extensions'
    ]
  });
  const close = async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  };
  return { context, close };
}

export async function waitReady(page, timeout = 120000) {
  await page.waitForFunction(() => window.__logmap && window.__logmap.ready(), null, { timeout, polling: 50 });
}

// Resolves once the map has stood still for a few animation frames: no pan or zoom animation
// on the map pane (the classes Leaflet sets while one runs), so the canvases are redrawn for
// the current view (on moveend, or in the frame after a style change) and a point computed
// from the view stays where it is drawn.
export async function settle(page, timeout = 15000) {
  await page.evaluate((timeout) => new Promise((resolve, reject) => {
    const pane = window.__logmap.map.getPane('mapPane');
    const moving = () => pane.classList.contains('leaflet-pan-anim') || pane.classList.contains('leaflet-zoom-anim');
    const start = performance.now();
    let still = 0;
    const tick = () => {
      still = moving() ? 0 : still + 1;
      if (still >= 3) resolve();
      else if (performance.now() - start > timeout) reject(new Error('the map kept moving'));
      else requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }), timeout);
}

export async function observe(page) {
  return page.evaluate(() => {
    const lm = window.__logmap;
    let markers = 0;
    let halos = 0;
    lm.map.eachLayer((l) => {
      if (l instanceof L.CircleMarker) {
        if (l.logmapIndex !== undefined) markers += 1;
        else if (l.logmapHalo) halos += 1;
      }
    });
    const icons = [...document.querySelectorAll('.leaflet-marker-pane .cluster')];
    // Each cluster drawn: its addresses and the colours its icon is painted with.
    const clusterInfo = [];
    lm.map.eachLayer((l) => {
      const e = l.logmapCluster && l.getElement ? l.getElement() : null;
      if (!e) return;
      const style = getComputedStyle(e);
      clusterInfo.push({
        label: e.textContent.trim(),
        className: e.className,
        title: (e.firstElementChild || {}).title || '',
        ips: lm.clusterIps(l),
        background: style.backgroundColor,
        border: style.borderTopColor
      });
    });
    const clusterCounts = icons.map((e) => e.textContent.trim());
    const text = (id) => (document.getElementById(id) || {}).textContent || '';
    const heat = document.querySelector('canvas.leaflet-heatmap-layer');
    return {
      markers, halos,
      clusters: icons.length,
      clusterCounts,
      successClusters: icons.filter((e) => e.classList.contains('has-success')).length,
      clusterInfo,
      totals: {
        ips: text('t-ips'), countries: text('t-countries'), events: text('t-events'),
        failures: text('t-failures'), successes: text('t-successes'), blocked: text('t-blocked')
      },
      legend: (document.querySelector('.legend') || {}).textContent || '',
      filter: document.getElementById('filter').hidden ? null : text('filter-text'),
      rangeLabel: text('range-label'),
      heat: !!heat,
      choropleth: lm.map.hasLayer(lm.layers.choropleth),
      theme: document.body.className,
      zoom: lm.map.getZoom(),
      bounds: (() => { const b = lm.map.getBounds(); return [b.getSouth(), b.getWest(), b.getNorth(), b.getEast()]; })(),
      panelText: document.getElementById('panel').innerText,
      topUsers: [...document.querySelectorAll('#top-users li .name')].map((e) => e.textContent),
      sources: [...document.querySelectorAll('#sources li')].map((e) => e.textContent)
    };
  });
}

export async function readPopup(page, extra) {
  const popup = await page.waitForSelector('.leaflet-popup-content', { timeout: 5000 }).catch(() => null);
  if (!popup) return { error: 'no popup', ...extra };
  return {
    ip: await popup.$eval('h3', (h) => h.firstChild.textContent.trim()).catch(() => null),
    text: await popup.innerText(),
    html: await popup.innerHTML(),
    users: await popup.$$eval('.users code', (cs) => cs.map((c) => c.textContent)),
    samePlace: await popup.$$eval('.same-place button', (bs) => bs.map((b) => b.textContent)),
    links: await popup.$$eval('.links a', (as) => as.map((a) => a.href))
  };
}

async function runStep(page, step) {
  switch (step.do) {
    case 'observe':
      return observe(page);
    case 'clickMarker': {
      // With `zoom` (and the address's `lat`, `lon`): zoomed in there for the click, then
      // back to the view before (the popup stays open).
      let back = null;
      if (step.zoom !== undefined) {
        back = await page.evaluate((s) => {
          const m = window.__logmap.map;
          const before = { c: m.getCenter(), z: m.getZoom() };
          m.setView([s.lat, s.lon], s.zoom, { animate: false });
          return before;
        }, step);
        await page.waitForTimeout(600);
      }
      await settle(page);
      const pt = await page.evaluate((ip) => window.__logmap.pointOf(ip), step.ip);
      if (!pt) return { error: 'address not drawn' };
      await page.mouse.click(pt.x, pt.y);
      const popup = await readPopup(page, { point: pt });
      if (back) {
        await settle(page);
        await page.evaluate((b) => { window.__logmap.map.setView(b.c, b.z, { animate: false }); }, back);
        await page.waitForTimeout(600);
        await settle(page);
      }
      return popup;
    }
    case 'popupPick': {
      const current = await page.$eval('.leaflet-popup-content h3', (h) => h.firstChild.textContent.trim()).catch(() => null);
      if (current === step.ip) return readPopup(page, { picked: false });
      const button = await page.$(`.leaflet-popup-content .same-place button[data-ip="${step.ip}"]`);
      if (!button) return { error: 'address not listed in the popup' };
      await button.click();
      await settle(page);
      return readPopup(page, { picked: true });
    }
    case 'pixel': {
      await settle(page);
      // The point and its colours in one evaluation: nothing can move in between.
      return page.evaluate((s) => {
        const lm = window.__logmap;
        let pt;
        if (s.ip !== undefined) pt = lm.pointOf(s.ip);
        else {
          const p = lm.map.latLngToContainerPoint([s.lat, s.lon]);
          const r = lm.map.getContainer().getBoundingClientRect();
          pt = { x: p.x + r.left, y: p.y + r.top };
        }
        if (!pt) return { error: 'address not drawn' };
        // The topmost canvas with paint at a point (markers, then halos, then the basemap).
        const at = (x, y) => {
          for (const c of document.elementsFromPoint(x, y)) {
            if (!(c instanceof HTMLCanvasElement)) continue;
            const r = c.getBoundingClientRect();
            const px = Math.round(((x - r.left) * c.width) / r.width);
            const py = Math.round(((y - r.top) * c.height) / r.height);
            const d = c.getContext('2d').getImageData(px, py, 1, 1).data;
            if (d[3] > 0) return { rgba: [d[0], d[1], d[2], d[3]], pane: c.parentElement.className };
          }
          return { error: 'nothing painted there' };
        };
        const out = { point: pt, ...at(pt.x, pt.y) };
        const d = s.around;
        if (d) out.ring = [[-d, 0], [d, 0], [0, -d], [0, d]].map(([dx, dy]) => at(pt.x + dx, pt.y + dy));
        return out;
      }, step);
    }
    case 'clickRow': {
      const rows = await page.$$(`#${step.list} li`);
      if (!rows[step.index]) return { error: 'no such row' };
      const name = await rows[step.index].innerText();
      await rows[step.index].click();
      await page.waitForTimeout(400);
      await waitReady(page);
      await settle(page);
      return { row: name, ...(await observe(page)) };
    }
    case 'clearFilter':
      await page.click('#filter-clear');
      await waitReady(page);
      await settle(page);
      return observe(page);
    case 'range': {
      for (const [id, v] of [['range-to', step.to], ['range-from', step.from]]) {
        await page.$eval(`#${id}`, (e, value) => {
          e.value = String(value);
          e.dispatchEvent(new Event('input', { bubbles: true }));
        }, v);
      }
      await page.waitForTimeout(300);
      await waitReady(page);
      await settle(page);
      return observe(page);
    }
    case 'layer': {
      const label = page.locator('.leaflet-control-layers label', { hasText: step.name });
      await label.locator('input').click();
      await page.waitForTimeout(step.settle || 400);
      await waitReady(page);
      await settle(page);
      return observe(page);
    }
    case 'zoom':
      await page.evaluate((s) => { window.__logmap.map.setView([s.lat, s.lon], s.zoom, { animate: false }); }, step);
      await page.waitForTimeout(step.settle || 600);
      await settle(page);
      return observe(page);
    case 'screenshot':
      await page.waitForTimeout(step.settle || 300);
      await settle(page);
      await page.screenshot({ path: step.path });
      return { path: step.path };
    case 'wait':
      await page.waitForTimeout(step.ms || 100);
      return {};
    default:
      return { error: `unknown step ${step.do}` };
  }
}

// Records what a page does that it should not: console errors, page errors, dialogs, CSP
// violations, and any write to `window.__pwned` (a trap set before the page's own script).
export async function instrument(page, report) {
  page.on('console', (m) => {
    if (m.type() === 'error') report.consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => report.pageErrors.push(String(e)));
  page.on('dialog', async (d) => {
    report.dialogs.push(d.message());
    await d.dismiss();
  });
  // A hostile payload that ran would set this; the trap records it even if reset later.
  await page.addInitScript(() => {
    let v;
    Object.defineProperty(window, '__pwned', {
      get() { return v; },
      set(x) { v = x; window.__pwnedEver = true; },
      configurable: false
    });
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample} line ${e.lineNumber}:${e.columnNumber}`);
    });
  });
}

// What the page holds at the end: CSP violations, whether a payload ran, event-handler
// attributes, script elements, elements that only markup from the data could have made.
export async function inspect(page, report) {
  report.cspViolations = await page.evaluate(() => window.__csp);
  report.pwned = await page.evaluate(() => window.__pwned !== undefined || window.__pwnedEver === true);
  report.handlerAttributes = await page.evaluate(() => {
    const found = [];
    for (const e of document.querySelectorAll('*')) {
      for (const a of e.attributes) {
        if (/^on/i.test(a.name)) found.push(`${e.tagName.toLowerCase()}[${a.name}]`);
      }
    }
    return found;
  });
  report.scripts = await page.evaluate(() => document.scripts.length);
  report.foreignElements = await page.evaluate(
    () => document.querySelectorAll('img[src="x"], svg[onload], iframe, object, embed, script[src]').length
  );
}

async function main() {
  const [html, stepsFile] = process.argv.slice(2);
  const steps = stepsFile ? JSON.parse(readFileSync(stepsFile, 'utf8')) : [{ do: 'observe' }];
  const { context, close } = await launch();
  const report = { requests: [], consoleErrors: [], pageErrors: [], dialogs: [], steps: [] };
  try {
    const page = context.pages()[0] || (await context.newPage());
    await page.emulateMedia({ colorScheme: process.env.COLOR_SCHEME === 'light' ? 'light' : 'dark' });
    context.on('request', (r) => report.requests.push(r.url().slice(0, 200)));
    await instrument(page, report);
    const started = Date.now();
    await page.goto(pathToFileURL(resolve(html)).href, { waitUntil: 'load', timeout: 120000 });
    await waitReady(page);
    report.readyMs = Date.now() - started;
    report.slots = await page.evaluate(() => (window.__logmap.slots ? window.__logmap.slots.count : 0));
    for (const step of steps) {
      const t = Date.now();
      const result = await runStep(page, step);
      report.steps.push({ ...result, ms: Date.now() - t });
    }
    await inspect(page, report);
  } finally {
    await close();
  }
  process.stdout.write(JSON.stringify(report) + '\n');
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => {
    process.stderr.write(`e2e: ${e.stack || e}\n`);
    process.exit(1);
  });
}
