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
async function open(url, options = {}) {
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
  await page.waitForSelector('[data-testid=paste]', { timeout: 20_000 });
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
