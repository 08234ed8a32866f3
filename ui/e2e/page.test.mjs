// Browser tests for netdoc's page. Run them with `cargo xtask e2e`, which builds dist/,
// serves it on 127.0.0.1 (at / and at a sub-folder) and passes the URLs in the environment.
// Drives the system Chromium (Debian's /usr/bin/chromium); never downloads a browser.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const BASE = process.env.NETDOC_URL;
const SUBFOLDER = process.env.NETDOC_SUBFOLDER_URL;
const DIST = process.env.NETDOC_DIST;
const SERVER_LOG = process.env.NETDOC_SERVER_LOG;
if (!BASE || !SUBFOLDER || !DIST || !SERVER_LOG) {
  throw new Error('run the browser tests with `cargo xtask e2e` (it serves dist/ and sets NETDOC_URL, …)');
}
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const EXAMPLE = readFileSync('tests/scenarios/broken-net-lab/input.txt', 'utf8');
// What the served page may load, and nothing else.
const ASSETS = ['', 'boot.js', 'netdoc_ui.js', 'netdoc_ui_bg.wasm'];

let browser;

before(async () => {
  // Playwright gives every launch a fresh, empty user-data-dir of its own.
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
});

after(async () => {
  await browser?.close();
});

/** Open `url` in a fresh context, recording console messages, page errors and requests. */
async function open(url, options = {}, ready = '[data-testid=paste]') {
  const context = await browser.newContext({ acceptDownloads: true, ...options });
  const page = await context.newPage();
  const log = { errors: [], warnings: [], requests: [] };
  page.on('console', (m) => {
    if (m.type() === 'error') log.errors.push(`console: ${m.text()}`);
    if (m.type() === 'warning') log.warnings.push(m.text());
  });
  page.on('pageerror', (e) => log.errors.push(`pageerror: ${e.message}`));
  page.on('request', (r) => log.requests.push(r.url()));
  await page.goto(url);
  // The app is mounted (wasm instantiated) once its textarea exists.
  await page.waitForSelector(ready, { timeout: 20_000 });
  return { context, page, log };
}

async function diagnoseExample(page) {
  await page.click('[data-testid=example]');
  await page.click('[data-testid=diagnose]');
  await page.waitForSelector('[data-testid=finding]');
}

async function firstFindingId(page) {
  return (await page.locator('[data-testid=finding] [data-testid=finding-id]').first().textContent())?.trim();
}

function assertClean(log) {
  assert.deepEqual(log.errors, [], 'no console errors and no page errors');
}

test('example: service-selector-mismatch ranks first, with evidence, segments and report', async () => {
  const { context, page, log } = await open(BASE);
  try {
    await diagnoseExample(page);
    assert.equal(await page.inputValue('[data-testid=paste]'), EXAMPLE);
    assert.equal(await firstFindingId(page), 'service-selector-mismatch');
    const first = page.locator('[data-testid=finding]').first();
    const text = await first.textContent();
    assert.match(text, /layer\s*service/);
    assert.match(text, /severity\s*(critical|error)/);
    assert.ok((await first.locator('ul.evidence li').count()) > 0, 'the finding lists its evidence');
    assert.ok((await page.locator('[data-testid=segment]').count()) > 0, 'segments are listed');
    // Every evidence line in the findings is highlighted in the paste, with its own text.
    const cited = await page.locator('[data-testid=evidence-line]').evaluateAll((els) =>
      els.map((el) => [Number(el.id.slice(1)), el.querySelector('.text').textContent]));
    assert.ok(cited.length > 0, 'some paste lines are highlighted');
    const lines = EXAMPLE.split('\n');
    for (const [n, t] of cited) assert.equal(t, lines[n - 1], `line ${n} shows the pasted text`);
    const report = await page.textContent('[data-testid=report]');
    assert.ok(report.startsWith('# netdoc report'), 'the markdown report is shown');
    assert.match(report, /service-selector-mismatch/);
    // The evidence bundle: DNS is pasted, the other four slices say how to collect them.
    const slices = await page.locator('[data-testid=slice]').evaluateAll((els) =>
      els.map((el) => el.getAttribute('data-present')));
    assert.deepEqual(slices, ['false', 'false', 'true', 'false', 'false']);
    const bundle = await page.textContent('[data-testid=bundle]');
    assert.match(bundle, /netdoc collect --svc backend -n broken-net --pod debug/);
    assert.match(bundle, /kubectl exec -n broken-net debug -- ss -tanp/);
    assertClean(log);
  } finally {
    await context.close();
  }
});

test('no console errors, and no request but the page\'s own assets — none after load', async () => {
  const { context, page, log } = await open(BASE);
  try {
    const origin = new URL(BASE).origin;
    const loaded = log.requests.map((u) => new URL(u));
    for (const u of loaded) assert.equal(u.origin, origin, `request to another origin: ${u}`);
    assert.deepEqual(
      loaded.map((u) => u.pathname.slice(1)).sort(),
      [...ASSETS].sort(),
      'the page loads exactly its own assets (no favicon, fonts, …)',
    );
    log.requests.length = 0;
    await diagnoseExample(page);
    await page.fill('[data-testid=paste]', EXAMPLE + '\n$ dig example.com\n');
    await page.waitForTimeout(700); // past the type-to-diagnose debounce
    await page.click('[data-testid=copy-report]');
    const download = page.waitForEvent('download');
    await page.click('[data-testid=download]');
    await download;
    await page.locator('[data-testid=evidence-line]').first().scrollIntoViewIfNeeded();
    await page.waitForTimeout(300);
    const network = log.requests.filter((u) => !u.startsWith('blob:') && !u.startsWith('data:'));
    assert.deepEqual(network, [], 'no request after load');
    assertClean(log);
  } finally {
    await context.close();
  }
});

test('diagnoses as you type, without moving the caret', async () => {
  const { context, page, log } = await open(BASE);
  try {
    const box = page.locator('[data-testid=paste]');
    await box.fill(EXAMPLE); // an input event, no click on Diagnose
    await page.waitForSelector('[data-testid=finding]', { timeout: 5_000 });
    assert.equal(await firstFindingId(page), 'service-selector-mismatch');
    // Typing in the middle keeps the caret where it is (the re-render must not reset it).
    await box.fill('abc');
    await box.evaluate((el) => el.setSelectionRange(1, 1));
    await box.pressSequentially('XY');
    assert.equal(await box.inputValue(), 'aXYbc');
    await page.waitForTimeout(700);
    assert.equal(await box.inputValue(), 'aXYbc');
    assert.equal(await page.locator('[data-testid=finding]').count(), 0, 'the new paste replaced the diagnosis');
    assertClean(log);
  } finally {
    await context.close();
  }
});

test('pasted markup stays inert text', async () => {
  const payload = '<img src=x onerror=window.__xss=1>';
  const paste = [
    '$ kubectl get svc web -n shop -o yaml',
    'apiVersion: v1',
    'kind: Service',
    'metadata:',
    '  name: web',
    '  namespace: shop',
    'spec:',
    '  clusterIP: 10.96.0.20',
    '  selector:',
    `    app: "${payload}"`,
    '  ports:',
    '  - port: 80',
    '    targetPort: 8080',
    '$ kubectl get pods -n shop --show-labels',
    'NAME      READY   STATUS    RESTARTS   AGE   LABELS',
    'web-1     1/1     Running   0          1d    app=web',
    '',
  ].join('\n');
  const { context, page, log } = await open(BASE);
  try {
    await page.fill('[data-testid=paste]', paste);
    await page.click('[data-testid=diagnose]');
    await page.waitForSelector('[data-testid=lines]');
    await page.waitForTimeout(700);
    assert.equal(await page.locator('img').count(), 0, 'no img element');
    assert.equal(await page.evaluate(() => window.__xss), undefined, 'the onerror never ran');
    const line = page.locator('[data-testid=lines] li', { hasText: payload });
    assert.equal(await line.count(), 1, 'the payload is shown as text in the paste');
    assert.ok(await line.isVisible());
    // The engine quotes it back (finding summary, report): text there too.
    const finding = page.locator('[data-testid=finding]').first();
    assert.equal(await finding.locator('[data-testid=finding-id]').textContent(), 'service-selector-mismatch');
    assert.ok((await finding.textContent()).includes(payload), 'the finding quotes the label as text');
    assert.ok((await page.textContent('[data-testid=report]')).includes(payload), 'so does the report');
    assertClean(log);
  } finally {
    await context.close();
  }
});

test('standalone.html works when opened from file://', async () => {
  const url = pathToFileURL(join(DIST, 'standalone.html')).href;
  const { context, page, log } = await open(url);
  try {
    await diagnoseExample(page);
    assert.equal(await firstFindingId(page), 'service-selector-mismatch');
    assert.deepEqual(log.requests, [url], 'the single file loads nothing else');
    assertClean(log);
  } finally {
    await context.close();
  }
});

test('served from a sub-folder, the page loads its assets from that folder', async () => {
  const { context, page, log } = await open(SUBFOLDER);
  try {
    for (const u of log.requests) assert.ok(u.startsWith(SUBFOLDER), `asset outside the folder: ${u}`);
    assert.equal(log.requests.length, ASSETS.length);
    await diagnoseExample(page);
    assert.equal(await firstFindingId(page), 'service-selector-mismatch');
    assertClean(log);
  } finally {
    await context.close();
  }
});

test('Download .md saves the report', async () => {
  const { context, page, log } = await open(BASE);
  try {
    await diagnoseExample(page);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-testid=download]'),
    ]);
    assert.equal(download.suggestedFilename(), 'netdoc-report.md');
    const saved = readFileSync(await download.path(), 'utf8');
    assert.ok(saved.startsWith('# netdoc report\n'), 'starts with the report heading');
    assert.equal(saved, await page.textContent('[data-testid=report]'));
    assertClean(log);
  } finally {
    await context.close();
  }
});

test('Copy puts a missing-evidence command on the clipboard; a refusal is only a note', async () => {
  const granted = await open(BASE, { permissions: ['clipboard-read', 'clipboard-write'] });
  try {
    const { page, log } = granted;
    await page.fill('[data-testid=paste]', '$ kubectl get svc backend -n broken-net\nNAME      TYPE        CLUSTER-IP     EXTERNAL-IP   PORT(S)   AGE\nbackend   ClusterIP   10.96.12.34    <none>        80/TCP    3d\n');
    await page.click('[data-testid=diagnose]');
    const missing = page.locator('[data-testid=missing]').first();
    await missing.waitFor();
    const command = await missing.locator('code').textContent();
    await missing.locator('button').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=note]').textContent !== '');
    assert.equal(await page.textContent('[data-testid=note]'), 'Copied to the clipboard.');
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), command);
    assertClean(log);
  } finally {
    await granted.context.close();
  }
  // No clipboard at all (as on a plain-http host): the button says so and nothing throws.
  const refused = await open(BASE);
  try {
    const { page, log } = refused;
    await page.evaluate(() => Object.defineProperty(Navigator.prototype, 'clipboard', { get: () => undefined }));
    await diagnoseExample(page);
    await page.click('[data-testid=copy-report]');
    await page.waitForFunction(() => document.querySelector('[data-testid=note]').textContent !== '');
    assert.match(await page.textContent('[data-testid=note]'), /refused/);
    assertClean(log);
  } finally {
    await refused.context.close();
  }
});

test('a file picked or dropped is read and diagnosed', async () => {
  const { context, page, log } = await open(BASE);
  try {
    await page.setInputFiles('[data-testid=file]', {
      name: 'paste.txt', mimeType: 'text/plain', buffer: Buffer.from(EXAMPLE),
    });
    await page.waitForSelector('[data-testid=finding]');
    assert.equal(await page.inputValue('[data-testid=paste]'), EXAMPLE);
    assert.equal(await firstFindingId(page), 'service-selector-mismatch');

    await page.click('[data-testid=clear]');
    assert.equal(await page.locator('[data-testid=finding]').count(), 0);
    const dataTransfer = await page.evaluateHandle((text) => {
      const dt = new DataTransfer();
      dt.items.add(new File([text], 'dropped.txt', { type: 'text/plain' }));
      return dt;
    }, EXAMPLE);
    await page.dispatchEvent('[data-testid=paste]', 'drop', { dataTransfer });
    await page.waitForSelector('[data-testid=finding]');
    assert.equal(await firstFindingId(page), 'service-selector-mismatch');
    assert.match(await page.textContent('[data-testid=note]'), /dropped\.txt/);
    assertClean(log);
  } finally {
    await context.close();
  }
});

// ---- The calculator and policy pages (hash routes; state kept while navigating) ----

/** Open the page and go to a section by clicking its nav link. */
async function openAt(route, options = {}) {
  const opened = await open(BASE, options);
  await opened.page.click(`[data-testid=nav-${route}]`);
  await opened.page.waitForFunction((r) => location.hash === `#/${r}`, route);
  return opened;
}

const text = async (page, selector) => (await page.locator(selector).first().textContent())?.trim();

test('nav: every page by hash route, state kept, Back works, no request after load', async () => {
  const { context, page, log } = await open(BASE);
  try {
    log.requests.length = 0;
    await diagnoseExample(page);
    await page.click('[data-testid=nav-subnet]');
    await page.fill('[data-testid=subnet-input]', '10.0.0.0/8');
    await page.waitForSelector('[data-testid=subnet-result]');
    await page.click('[data-testid=nav-mtu]');
    await page.waitForSelector('[data-testid=mtu-pod]');
    await page.click('[data-testid=nav-dns]');
    await page.fill('[data-testid=dns-name]', 'backend');
    await page.waitForSelector('[data-testid=dns-try]');
    await page.click('[data-testid=nav-policy]');
    await page.click('[data-testid=policy-example]');
    await page.waitForSelector('[data-testid=policy-matrix]');
    await page.click('[data-testid=policy-cell] button');
    await page.waitForSelector('[data-testid=policy-explain]');
    assert.equal(await page.getAttribute('[data-testid=nav-policy]', 'aria-current'), 'page');
    assert.equal(await page.locator('[data-testid=paste]').count(), 0, 'only the current page is shown');
    // Back through the history, then forward to Diagnose: every page kept its input.
    await page.goBack();
    await page.waitForSelector('[data-testid=dns-try]');
    assert.equal(await page.inputValue('[data-testid=dns-name]'), 'backend');
    await page.click('[data-testid=nav-subnet]');
    assert.equal(await page.inputValue('[data-testid=subnet-input]'), '10.0.0.0/8');
    await page.click('[data-testid=nav-diagnose]');
    await page.waitForSelector('[data-testid=finding]');
    assert.equal(await page.inputValue('[data-testid=paste]'), EXAMPLE);
    // An evidence anchor (#L12) is not a route: the findings stay.
    await page.locator('[data-testid=finding] a.place').first().click();
    assert.ok((await page.locator('[data-testid=finding]').count()) > 0);
    await page.waitForTimeout(300);
    const network = log.requests.filter((u) => !u.startsWith('blob:') && !u.startsWith('data:'));
    assert.deepEqual(network, [], 'no request while navigating');
    assertClean(log);
  } finally {
    await context.close();
  }
});

test('deep links: #/mtu served, #/dns in standalone.html from file://', async () => {
  const served = await open(BASE + '#/mtu', {}, '[data-testid=mtu-pod]');
  try {
    assert.equal(await text(served.page, '[data-testid=mtu-pod]'), '1450');
    assertClean(served.log);
  } finally {
    await served.context.close();
  }
  const url = pathToFileURL(join(DIST, 'standalone.html')).href;
  const file = await open(url + '#/dns', {}, '[data-testid=dns-name]');
  try {
    await file.page.fill('[data-testid=dns-name]', 'api.example.com');
    assert.equal(await file.page.locator('[data-testid=dns-try]').count(), 4);
    assert.deepEqual(file.log.requests, [url], 'the single file loads nothing else');
    assertClean(file.log);
  } finally {
    await file.context.close();
  }
});

test('subnet: fields, split and a plan whose collision is highlighted; copy as markdown', async () => {
  const { context, page, log } = await openAt('subnet', { permissions: ['clipboard-read', 'clipboard-write'] });
  try {
    await page.fill('[data-testid=subnet-input]', '10.244.0.0/16');
    const row = (f) => text(page, `[data-testid=subnet-result] tr[data-field="${f}"] td`);
    assert.equal(await row('hosts'), '65534');
    assert.equal(await row('netmask'), '255.255.0.0');
    assert.equal(await row('last host'), '10.244.255.254');
    await page.fill('[data-testid=subnet-split-prefix]', '24');
    const subnets = page.locator('[data-testid=subnet-split] li');
    assert.equal(await subnets.nth(1).textContent(), '10.244.1.0/24');
    assert.equal(await subnets.count(), 256);
    assert.match(await text(page, '[data-testid=subnet-split-count]'), /256 \/24 subnets/);
    await page.fill('[data-testid=subnet-split-limit]', '4');
    assert.equal(await subnets.count(), 4);
    // A bad network is an error beside the input, not a panic; fixing it recovers.
    await page.fill('[data-testid=subnet-input]', '10.244.0.0/33');
    assert.match(await text(page, '[data-testid=subnet-error]'), /33/);
    assert.equal(await page.locator('[data-testid=subnet-result]').count(), 0);
    await page.fill('[data-testid=subnet-input]', '10.0.0.7 255.255.255.0');
    assert.equal(await row('cidr'), '10.0.0.0/24');
    await page.fill('[data-testid=subnet-split-prefix]', '');

    // The default plan collides with nothing; a /12 pod CIDR swallows Docker's bridge.
    assert.equal(await page.locator('[data-testid=plan-collision]').count(), 0);
    await page.waitForSelector('[data-testid=plan-ok]');
    await page.fill('[data-testid=plan-pods]', '172.16.0.0/12');
    const collision = page.locator('[data-testid=plan-collision]', { hasText: '172.17.0.0/16' });
    assert.equal(await collision.count(), 1);
    assert.ok(await collision.isVisible());
    const edge = await collision.evaluate((el) => getComputedStyle(el).borderLeftWidth);
    assert.equal(edge, '5px', 'the collision has the warning style');
    const ids = await page.locator('[data-testid=plan-finding-id]').allTextContents();
    assert.ok(ids.includes('cidr-overlap'), `finding ids: ${ids}`);
    await page.fill('[data-testid=plan-node-mask]', 'x');
    assert.match(await text(page, '[data-testid=plan-error]'), /node mask/);
    await page.fill('[data-testid=plan-node-mask]', '24');

    await page.click('[data-testid=copy-md]');
    await page.waitForFunction(() => document.querySelector('[data-testid=note]').textContent !== '');
    const md = await page.evaluate(() => navigator.clipboard.readText());
    assert.match(md, /\| cidr \| `10\.0\.0\.0\/24` \|/);
    assert.match(md, /172\.17\.0\.0\/16/);
    assert.match(md, /# Runbooks/);
    assertClean(log);
  } finally {
    await context.close();
  }
});

test('mtu: vxlan over 1500 is 1450, as you change the inputs; a too-big MTU warns', async () => {
  const { context, page, log } = await openAt('mtu');
  try {
    assert.equal(await text(page, '[data-testid=mtu-pod]'), '1450');
    assert.equal(await text(page, '[data-testid=mtu-mss]'), '1410');
    assert.equal(await text(page, '[data-testid=mtu-ping-pod]'), 'ping -M do -s 1422');
    assert.ok((await page.locator('[data-testid=mtu-step]').count()) >= 3, 'the arithmetic is shown');
    await page.fill('[data-testid=mtu-underlay]', '9001');
    assert.equal(await text(page, '[data-testid=mtu-pod]'), '8951');
    assert.ok(await page.isDisabled('[data-testid=mtu-geneve]'), 'Geneve options only for Geneve');
    await page.selectOption('[data-testid=mtu-encap]', 'geneve');
    await page.fill('[data-testid=mtu-geneve]', '8');
    assert.equal(await text(page, '[data-testid=mtu-pod]'), '8943');
    await page.fill('[data-testid=mtu-geneve]', '3');
    assert.match(await text(page, '[data-testid=mtu-error]'), /multiple of 4/);
    await page.selectOption('[data-testid=mtu-encap]', 'wireguard');
    assert.equal(await text(page, '[data-testid=mtu-pod]'), '8941');
    await page.check('[data-testid=mtu-underlay-ipv6]');
    assert.equal(await text(page, '[data-testid=mtu-pod]'), '8921');
    await page.uncheck('[data-testid=mtu-underlay-ipv6]');
    await page.selectOption('[data-testid=mtu-encap]', 'vxlan');
    await page.fill('[data-testid=mtu-underlay]', '1500');
    assert.equal(await text(page, '[data-testid=mtu-pod]'), '1450');
    assert.equal(await page.locator('[data-testid=mtu-warning]').count(), 0);
    await page.fill('[data-testid=mtu-configured]', '1500');
    assert.match(await text(page, '[data-testid=mtu-warning]'), /Pods use MTU 1500 but vxlan over a 1500-byte underlay leaves 1450/);
    assert.equal(await text(page, '[data-testid=mtu-finding-id]'), 'mtu-overlay-mismatch');
    await page.fill('[data-testid=mtu-configured]', '1450');
    assert.equal(await page.locator('[data-testid=mtu-warning]').count(), 0);
    await page.fill('[data-testid=mtu-underlay]', 'abc');
    assert.match(await text(page, '[data-testid=mtu-error]'), /not a number/);
    await page.fill('[data-testid=mtu-underlay]', '100');
    assert.match(await text(page, '[data-testid=mtu-error]'), /out of range/);
    assertClean(log);
  } finally {
    await context.close();
  }
});

test('dns: google.com from namespace shop asks 4 names, search list first', async () => {
  const { context, page, log } = await openAt('dns');
  try {
    await page.fill('[data-testid=dns-namespace]', 'shop');
    await page.fill('[data-testid=dns-name]', 'google.com');
    const tries = await page.locator('[data-testid=dns-try]').allTextContents();
    assert.deepEqual(tries, [
      'google.com.shop.svc.cluster.local.',
      'google.com.svc.cluster.local.',
      'google.com.cluster.local.',
      'google.com.',
    ]);
    assert.match(await text(page, '[data-testid=dns-counts]'), /8 before the name as typed answers; 8 if every name is NXDOMAIN/);
    assert.ok((await page.locator('[data-testid=dns-fix]').count()) > 0, 'the fixes are listed');
    await page.selectOption('[data-testid=dns-family]', 'a');
    assert.match(await text(page, '[data-testid=dns-counts]'), /4 if every name is NXDOMAIN/);
    await page.fill('[data-testid=dns-name]', 'google.com.');
    assert.deepEqual(await page.locator('[data-testid=dns-try]').allTextContents(), ['google.com.']);
    // A pasted resolv.conf wins over the namespace.
    await page.fill('[data-testid=dns-name]', 'api');
    await page.fill('[data-testid=dns-resolv]', 'search corp.example\noptions ndots:1\n');
    assert.deepEqual(await page.locator('[data-testid=dns-try]').allTextContents(), ['api.corp.example.', 'api.']);
    await page.fill('[data-testid=dns-name]', 'has space');
    assert.match(await text(page, '[data-testid=dns-error]'), /no spaces/);
    assertClean(log);
  } finally {
    await context.close();
  }
});

const FRONTEND = 'broken-net/frontend[Deployment]';
const BACKEND = 'broken-net/backend[Deployment]';
const cell = (src, dst) => `[data-testid=policy-cell][data-src="${src}"][data-dst="${dst}"]`;

test('policy: the seed lab matrix, the explanation of a cell, and the lint', async () => {
  const { context, page, log } = await openAt('policy', { permissions: ['clipboard-read', 'clipboard-write'] });
  try {
    await page.click('[data-testid=policy-example]');
    await page.waitForSelector('[data-testid=policy-matrix]');
    assert.equal(await text(page, cell(FRONTEND, BACKEND)), 'TCP 5678');
    assert.equal(await page.getAttribute(cell(FRONTEND, BACKEND), 'data-allowed'), 'true');
    assert.equal(await text(page, cell(BACKEND, FRONTEND)), '✕');
    assert.equal(await page.getAttribute(cell(BACKEND, FRONTEND), 'data-allowed'), 'false');

    await page.click(`${cell(FRONTEND, BACKEND)} button`);
    assert.equal(await page.inputValue('[data-testid=policy-port]'), 'TCP/5678');
    const explain = page.locator('[data-testid=policy-explain]');
    assert.match(await explain.textContent(), /allow-frontend-to-backend/);
    assert.match(await explain.locator('.headline').textContent(), /allowed/i);
    // Another port on the same pair: denied, and said so.
    await page.fill('[data-testid=policy-port]', 'TCP/80');
    await page.waitForFunction(() => document.querySelector('[data-testid=policy-explain]')?.classList.contains('deny'));
    await page.fill('[data-testid=policy-port]', 'TCP/nope');
    assert.match(await text(page, '[data-testid=policy-error]'), /not a port/);
    await page.click(`${cell(BACKEND, FRONTEND)} button`);
    assert.match(await page.locator('[data-testid=policy-explain] .headline').textContent(), /denied/i);

    const ids = await page.locator('[data-testid=policy-finding-id]').allTextContents();
    assert.ok(ids.includes('netpol-namespace-label-missing'), `lint ids: ${ids}`);
    const finding = page.locator('[data-testid=policy-finding]', { hasText: 'netpol-namespace-label-missing' });
    assert.match(await finding.textContent(), /kube-system/);
    assert.ok((await finding.locator('ul.evidence li').count()) > 0, 'the finding shows its evidence');

    await page.click('[data-testid=copy-md]');
    await page.waitForFunction(() => document.querySelector('[data-testid=note]').textContent !== '');
    const md = await page.evaluate(() => navigator.clipboard.readText());
    assert.match(md, /\| `broken-net\/frontend\[Deployment\]` \| `broken-net\/backend\[Deployment\]` \| TCP 5678 \|/);
    assert.match(md, /netpol-namespace-label-missing/);
    assert.match(md, /# Runbooks/);
    assertClean(log);
  } finally {
    await context.close();
  }
});

test('policy: several files picked or dropped; markup and garbage stay text', async () => {
  const { context, page, log } = await openAt('policy');
  const read = (p) => readFileSync(join('tests/fixtures/netpol-seed-lab', p), 'utf8');
  try {
    await page.setInputFiles('[data-testid=policy-file]', [
      { name: 'deny-all.yaml', mimeType: 'text/yaml', buffer: Buffer.from(read('broken/deny-all.yaml')) },
      { name: 'apps.yaml', mimeType: 'text/yaml', buffer: Buffer.from(read('common/apps.yaml')) },
    ]);
    await page.waitForSelector('[data-testid=policy-matrix]');
    assert.equal(await page.locator('[data-testid=policy-file-item]').count(), 2);
    assert.equal(await page.getAttribute(cell(FRONTEND, BACKEND), 'data-allowed'), 'false', 'deny-all denies');
    const dataTransfer = await page.evaluateHandle((t) => {
      const dt = new DataTransfer();
      dt.items.add(new File([t], 'allow.yaml', { type: 'text/yaml' }));
      return dt;
    }, read('fixed/allow-frontend-to-backend.yaml'));
    await page.dispatchEvent('[data-testid=policy-paste]', 'drop', { dataTransfer });
    await page.waitForFunction((sel) => document.querySelector(sel)?.dataset.allowed === 'true', cell(FRONTEND, BACKEND));
    assert.equal(await page.locator('[data-testid=policy-file-item]').count(), 3);
    assert.match(await text(page, '[data-testid=note]'), /allow\.yaml/);

    await page.click('[data-testid=policy-clear]');
    const payload = '<img src=x onerror=window.__xss=1>';
    await page.fill('[data-testid=policy-paste]', [
      'apiVersion: v1', 'kind: Pod', 'metadata:', `  name: "${payload}"`, '  namespace: x',
      '  labels: {app: a}', 'spec:', '  containers:', '  - name: c', '    image: i',
    ].join('\n'));
    await page.waitForSelector('[data-testid=policy-matrix]');
    assert.equal(await page.locator('img').count(), 0, 'no img element');
    assert.ok((await page.textContent('[data-testid=policy-matrix]')).includes(payload));
    assert.equal(await page.evaluate(() => window.__xss), undefined);
    await page.fill('[data-testid=policy-paste]', 'kind: [\n  - : :');
    await page.waitForSelector('[data-testid=policy-problem]');
    assertClean(log);
  } finally {
    await context.close();
  }
});

// Last: everything any of the tests above made the browser ask the server for — including
// what the browser requests on its own, which page.on('request') does not show (favicons).
test('the server was only ever asked for the page\'s own assets', () => {
  const allowed = new Set([
    ...ASSETS.map((a) => `/${a}`),
    ...ASSETS.map((a) => `${new URL(SUBFOLDER).pathname}${a}`),
  ]);
  const lines = readFileSync(SERVER_LOG, 'utf8').trim().split('\n');
  assert.ok(lines.length >= ASSETS.length, 'the server log has the page loads');
  for (const line of lines) {
    const [method, path, ...status] = line.split(' ');
    assert.equal(method, 'GET', line);
    assert.ok(allowed.has(path), `unexpected request: ${line}`);
    assert.equal(status.join(' '), '200 OK', line);
  }
});
