// Drives the live dashboard of a real `logmap serve` in headless Chromium and reports what it
// saw, as JSON on stdout.
//
//   node web/test/live.mjs PLAN.json
//
// PLAN: { "logmap": binary, "db": history file, "log": the followed file,
//         "append": text appended to the log while the page is open, "newIp": the address
//         that text brings, "screenshots": optional { "map": png, "stats": png } }
// The driver starts `logmap serve --db DB --follow LOG --listen 127.0.0.1:0` itself (so it
// can stop it), reads the address from its first line, opens the dashboard and:
//   1. observes the map (as e2e.mjs does), then opens the statistics page and reads it;
//   2. appends to the log and waits until the new address is drawn (no reload), reporting how
//      long it took and whether it was highlighted;
//   3. stops the server, waits for the page to say the connection is lost, starts the server
//      again on the same port and waits for the page to say it is live again.
// Besides, it records every request (all must go to the server), console and page errors,
// CSP violations, dialogs, a trap on window.__pwned, event-handler attributes.

import { appendFileSync, readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { launch, waitReady, settle, observe, readPopup, instrument, inspect } from './e2e.mjs';

const plan = JSON.parse(readFileSync(process.argv[2], 'utf8'));

function serve(listen) {
  return new Promise((resolvePort, reject) => {
    const child = spawn(plan.logmap, ['serve', '--db', plan.db, '--follow', plan.log, '--listen', listen], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' }
    });
    let err = '';
    const timer = setTimeout(() => reject(new Error(`logmap serve did not start: ${err}`)), 30000);
    child.stderr.on('data', (d) => {
      err += d;
      const m = /serving http:\/\/([0-9.]+:[0-9]+)\//.exec(err);
      if (m) {
        clearTimeout(timer);
        resolvePort({ child, addr: m[1] });
      }
    });
    child.on('exit', (code) => reject(new Error(`logmap serve exited (${code}): ${err}`)));
  });
}
function stop(child) {
  return new Promise((r) => {
    child.removeAllListeners('exit');
    child.on('exit', () => r());
    child.kill('SIGTERM');
  });
}

async function readStats(page) {
  return page.evaluate(() => {
    const rows = (id) => [...document.querySelectorAll(`#${id} tbody tr`)].map((tr) => [...tr.children].map((td) => td.textContent));
    return {
      visible: !document.getElementById('stats').hidden,
      text: document.getElementById('stats').innerText,
      html: document.getElementById('stats').innerHTML,
      success: rows('s-success'),
      successLoud: document.getElementById('s-success-card').classList.contains('loud'),
      countries: rows('s-countries'),
      asns: rows('s-asns'),
      users: rows('s-users'),
      ips: rows('s-ips'),
      kinds: [...document.querySelectorAll('#s-kinds li .name')].map((e) => e.textContent),
      outcomeBars: document.querySelectorAll('#s-outcomes rect').length,
      newBars: document.querySelectorAll('#s-new rect').length,
      // the first card on the page
      firstCard: (document.querySelector('#stats .card h3') || {}).textContent || ''
    };
  });
}

const report = { requests: [], consoleErrors: [], pageErrors: [], dialogs: [], steps: {} };
let server = await serve('127.0.0.1:0');
report.addr = server.addr;
const { context, close } = await launch();
try {
  const page = context.pages()[0] || (await context.newPage());
  await page.emulateMedia({ colorScheme: 'dark' });
  context.on('request', (r) => report.requests.push(r.url().slice(0, 200)));
  await instrument(page, report);
  await page.goto(`http://${server.addr}/`, { waitUntil: 'load', timeout: 60000 });
  await waitReady(page);
  await page.waitForFunction(() => /Live\./.test(document.getElementById('live-status').textContent), null, { timeout: 15000 });
  report.steps.first = await observe(page);
  report.steps.first.status = await page.$eval('#live-status', (e) => e.textContent);

  if (plan.popupIp) {
    // The first view may still be moving into place: click where the marker ends up.
    await settle(page);
    const pt = await page.evaluate((ip) => window.__logmap.pointOf(ip), plan.popupIp);
    if (pt) {
      await page.mouse.click(pt.x, pt.y);
      report.steps.popup = await readPopup(page, {});
      await page.keyboard.press('Escape');
    } else report.steps.popup = { error: 'not drawn' };
  }

  await page.click('#tab-stats');
  await page.waitForTimeout(300);
  report.steps.stats = await readStats(page);
  if (plan.screenshots && plan.screenshots.stats) await page.screenshot({ path: plan.screenshots.stats });
  // a user-name row of the statistics page filters both pages
  const userRow = await page.$('#s-users tbody tr.clickable');
  if (userRow) {
    await userRow.click();
    await page.waitForTimeout(300);
    report.steps.statsFiltered = await readStats(page);
    report.steps.statsFiltered.filter = await page.$eval('#filter-text', (e) => e.textContent);
    await page.click('#filter-clear');
    await page.waitForTimeout(300);
  }
  await page.click('#tab-map');
  await settle(page);
  // back to the first view, where the new address will be
  await page.evaluate(() => { const b = window.__logmap.startBounds; if (b) window.__logmap.map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { animate: false }); });
  await settle(page);
  // A new address, appended to the followed file while the page is open.
  const before = await page.evaluate(() => window.__logmap.total);
  const t = Date.now();
  appendFileSync(plan.log, plan.append);
  const drawn = await page.waitForFunction((ip) => {
    const lm = window.__logmap;
    if (!lm.pointOf(ip)) return false;
    let found = false;
    lm.map.eachLayer((l) => {
      if (l.logmapIndex !== undefined && lm.ipOf(l.logmapIndex) === ip) found = true;
      if (l.logmapCluster && lm.clusterIps(l).includes(ip)) found = true;
    });
    const ring = [...document.querySelectorAll('.new-attacker')].length > 0;
    return found && ring ? { found, ring } : false;
  }, plan.newIp, { timeout: 20000, polling: 50 }).then((h) => h.jsonValue(), () => null);
  report.steps.appended = {
    ms: Date.now() - t,
    drawn,
    before,
    after: await page.evaluate(() => window.__logmap.total),
    arrivals: await page.$eval('#arrivals', (e) => e.textContent),
    navigations: await page.evaluate(() => performance.getEntriesByType('navigation').length),
    ...(await observe(page))
  };
  if (plan.screenshots && plan.screenshots.map) {
    await page.waitForTimeout(400);
    await page.screenshot({ path: plan.screenshots.map });
  }

  // The server goes away: the page says so, and comes back by itself when it returns.
  await stop(server.child);
  const lost = await page.waitForFunction(() => /lost/.test(document.getElementById('live-status').textContent), null, { timeout: 20000 })
    .then(() => true, () => false);
  report.steps.lost = { seen: lost, status: await page.$eval('#live-status', (e) => e.textContent) };
  server = await serve(server.addr);
  const back = await page.waitForFunction(() => /^Live\./.test(document.getElementById('live-status').textContent), null, { timeout: 30000 })
    .then(() => true, () => false);
  report.steps.back = { seen: back, status: await page.$eval('#live-status', (e) => e.textContent), total: await page.evaluate(() => window.__logmap.total) };
  await inspect(page, report);
} finally {
  await close();
  await stop(server.child);
}
process.stdout.write(JSON.stringify(report) + '\n');
