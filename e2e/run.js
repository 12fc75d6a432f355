#!/usr/bin/env node
/* eslint-disable no-console */
/*
 * End-to-end journey of the Segments portal in a real browser (PRD FR-001/002):
 * sign in as guest, open Segments, create the VIP segment by clicking
 * (totalSpent > 100000 AND daysSinceLastOrder <= 30), see the live estimate,
 * count exactly, save, run, see members and the change report.
 *
 * It starts its own backend (on a fresh temporary SQLite directory, so demo
 * data loads anew and ./data stays untouched) and frontend, drives Debian
 * Chromium with playwright-core, writes docs/screenshots/*.png, stops every
 * process it started (also on failure) and ends with "N passed, N failed".
 *
 * Usage: npm run test:e2e   (env: E2E_KEEP=1 keeps the temporary directory,
 * E2E_HEADFUL=1 shows the browser, CHROMIUM=/path/to/chromium)
 */
const { spawn } = require('child_process');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');

const ROOT = path.resolve(__dirname, '..');
const SCREENSHOTS = path.join(ROOT, 'docs', 'screenshots');
const BACKEND = 'http://localhost:7007';
const FRONTEND = 'http://localhost:3000';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const STARTUP_TIMEOUT_MS = 6 * 60_000;
const STEP_TIMEOUT_MS = 60_000;

const results = [];
const children = [];
let workDir;

function log(message) {
  console.log(`[e2e ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

/** Runs one step; later steps are skipped (counted as failed) after a failure. */
async function step(name, fn) {
  if (results.some(r => !r.ok)) {
    results.push({ name, ok: false, skipped: true });
    console.log(`  - ${name} (skipped)`);
    return;
  }
  const started = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`  ✓ ${name} (${Date.now() - started} ms)`);
  } catch (error) {
    results.push({ name, ok: false, error });
    console.log(
      `  ✗ ${name} (${Date.now() - started} ms)\n    ${String(
        error && error.stack ? error.stack : error,
      )
        .split('\n')
        .slice(0, 6)
        .join('\n    ')}`,
    );
  }
}

function assert(condition, message) {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}

function portInUse(port) {
  return new Promise(resolve => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Starts a command in its own process group (like setsid), logging to the
 * work directory.
 */
function startProcess(name, cwd, command, args, extraEnv = {}) {
  const logFile = path.join(workDir, `${name}.log`);
  const out = fs.openSync(logFile, 'a');
  const child = spawn(command, args, {
    cwd,
    detached: true,
    stdio: ['ignore', out, out],
    env: { ...process.env, BROWSER: 'none', FORCE_COLOR: '0', ...extraEnv },
  });
  children.push({ name, child, logFile });
  child.on('exit', code => log(`${name} exited with ${code}`));
  return child;
}

/**
 * The backend as `backstage-cli package start` runs it, minus the file
 * watcher: in a working checkout every saved backend file would restart it in
 * the middle of the journey.
 */
function startBackend(configFiles) {
  const dir = path.join(ROOT, 'packages', 'backend');
  return startProcess(
    'backend',
    dir,
    process.execPath,
    [
      '--enable-source-maps',
      '--require',
      require.resolve('@backstage/cli-node/config/nodeTransform.cjs', {
        paths: [dir],
      }),
      'src/index',
      ...configFiles.flatMap(f => ['--config', f]),
    ],
    {
      NODE_ENV: 'development',
      ESBK_TSCONFIG_PATH: path.join(ROOT, 'tsconfig.json'),
    },
  );
}

/** The frontend dev server (`backstage-cli package start` in packages/app). */
function startFrontend() {
  return startProcess('frontend', path.join(ROOT, 'packages', 'app'), 'npx', [
    'backstage-cli',
    'package',
    'start',
  ]);
}

async function stopAll() {
  for (const { name, child } of children) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    const deadline = Date.now() + 10_000;
    while (
      Date.now() < deadline &&
      child.exitCode === null &&
      child.signalCode === null
    ) {
      await sleep(200);
    }
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // the whole group has exited
    }
    log(`stopped ${name}`);
  }
}

function sleep(ms) {
  return new Promise(r => setTimeout(r, ms));
}

async function waitFor(what, check, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    for (const { name, child } of children) {
      if (child.exitCode !== null)
        throw new Error(
          `${name} exited early (code ${child.exitCode}) while waiting for ${what}`,
        );
    }
    try {
      if (await check()) return;
    } catch (error) {
      last = error;
    }
    await sleep(1000);
  }
  throw new Error(
    `timed out waiting for ${what}${last ? `: ${last.message}` : ''}`,
  );
}

async function guestToken() {
  const res = await fetch(`${BACKEND}/api/auth/guest/refresh`, {
    headers: { 'X-Requested-With': 'XMLHttpRequest' },
  });
  if (!res.ok) throw new Error(`guest refresh ${res.status}`);
  return (await res.json()).backstageIdentity.token;
}

/** True once the guest user may create segments (a role policy may wait for the catalog). */
async function guestMayCreate() {
  const token = await guestToken();
  const res = await fetch(`${BACKEND}/api/permission/authorize`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/json',
    },
    body: JSON.stringify({
      items: [
        {
          id: 'e2e',
          permission: {
            type: 'basic',
            name: 'segments.rule.create',
            attributes: { action: 'create' },
          },
        },
      ],
    }),
  });
  if (!res.ok) return false;
  const body = await res.json();
  return body.items?.[0]?.result === 'ALLOW';
}

function tail(file, lines = 40) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

const VIP_RULE = {
  logicalOperator: 'AND',
  conditions: [
    { field: 'totalSpent', operator: 'gt', value: 100000, dataType: 'number' },
    {
      field: 'daysSinceLastOrder',
      operator: 'lte',
      value: 30,
      dataType: 'number',
    },
  ],
};

/**
 * Screenshot of the whole page. Backstage pages scroll inside their own
 * container, so the viewport grows to the content's height first.
 */
async function fullShot(page, file) {
  const height = await page.evaluate(() => {
    let max = document.documentElement.scrollHeight;
    for (const el of document.querySelectorAll('main, main *')) {
      if (
        el.scrollHeight > el.clientHeight + 4 &&
        /(auto|scroll)/.test(getComputedStyle(el).overflowY)
      ) {
        max = Math.max(max, el.scrollHeight + el.getBoundingClientRect().top);
      }
    }
    return Math.ceil(max);
  });
  const viewport = page.viewportSize();
  await page.setViewportSize({
    width: viewport.width,
    height: Math.min(Math.max(height, viewport.height), 4000),
  });
  await page.waitForTimeout(500);
  await page.screenshot({ path: path.join(SCREENSHOTS, file) });
  await page.setViewportSize(viewport);
}

/** Calls the Segments API as the guest user. */
async function api(method, route, body) {
  const token = await guestToken();
  const res = await fetch(`${BACKEND}/api/segments${route}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/json',
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok)
    throw new Error(
      `${method} ${route} answered ${res.status}: ${text.slice(0, 300)}`,
    );
  return text ? JSON.parse(text) : undefined;
}

/** Reads a number like "1,234" from an element's text. */
async function numberIn(locator) {
  const text = (await locator.innerText()).replace(/[^0-9]/g, '');
  return text ? Number(text) : NaN;
}

async function journey(page) {
  const tid = id => page.getByTestId(id);
  let previewCount;
  let segmentId;

  await step('sign in as guest', async () => {
    await page.goto(FRONTEND, {
      waitUntil: 'domcontentloaded',
      timeout: 120_000,
    });
    const enter = page.getByRole('button', { name: /enter/i });
    await enter.waitFor({ timeout: 120_000 });
    await enter.click();
    await page.getByRole('link', { name: 'Segments' }).first().waitFor();
  });

  await step('open Segments from the sidebar', async () => {
    await page.getByRole('link', { name: 'Segments' }).first().click();
    await page.waitForURL('**/segments');
    await page.getByRole('heading', { name: 'Segments', level: 1 }).waitFor();
    // Fresh data: no segment yet, the empty state explains what to do.
    await page.getByText('No segments yet').waitFor();
  });

  await step('start a new segment', async () => {
    await page.getByRole('link', { name: 'New segment' }).first().click();
    await page.waitForURL('**/segments/new');
    await page.getByRole('textbox', { name: 'Name' }).fill('VIP customers');
    await page
      .getByRole('textbox', { name: 'Description' })
      .fill(
        'Spent over 100,000 in total and ordered within the last 30 days (PRD FR-CRM-CS-001)',
      );
    await tid('segments-rule-builder').waitFor();
    await page
      .getByText('Add a condition to see how many customers match')
      .waitFor();
  });

  await step('build totalSpent > 100000 by clicking', async () => {
    await tid('segments-add-rule-root').click();
    await tid('segments-field-0').fill('Total spent');
    await page
      .getByRole('option', { name: 'Total spent', exact: true })
      .click();
    await tid('segments-operator-0').click();
    await page.locator('li[data-value="gt"]').click();
    await tid('segments-value-0').fill('100000');
    await page.getByTestId('preview-count').waitFor();
  });

  await step(
    'add daysSinceLastOrder <= 30 and see the live count',
    async () => {
      const before = await numberIn(tid('preview-count'));
      await tid('segments-add-rule-root').click();
      await tid('segments-field-1').fill('Days since last order');
      await page
        .getByRole('option', { name: 'Days since last order', exact: true })
        .click();
      await tid('segments-operator-1').click();
      await page.locator('li[data-value="lte"]').click();
      await tid('segments-value-1').fill('30');
      // The count settles below the single-condition count.
      await page.waitForFunction(
        prev => {
          const el = document.querySelector('[data-testid="preview-count"]');
          const busy = document.querySelector(
            '[data-testid="preview-updating"]',
          );
          if (!el || busy) return false;
          const n = Number(el.textContent.replace(/[^0-9]/g, ''));
          return n > 0 && n < prev;
        },
        before,
        { timeout: STEP_TIMEOUT_MS },
      );
      previewCount = await numberIn(tid('preview-count'));
      assert(previewCount > 0, `a positive live count, got ${previewCount}`);
      await page.getByRole('table', { name: 'Sample customers' }).waitFor();
    },
  );

  await step(
    'the live count is an estimate that matches POST /rules/preview',
    async () => {
      await page.mouse.click(5, 890); // no focus ring or tooltip in the screenshot
      const body = await api('POST', '/rules/preview', {
        rule: { name: 'e2e', ...VIP_RULE },
      });
      assert(body.validation.valid, 'the VIP rule is valid');
      assert(body.exact === false, 'a sampled preview above 10,000 customers');
      assert(
        body.estimatedCount === previewCount,
        `editor shows ${previewCount}, API estimates ${body.estimatedCount}`,
      );
      const text = await tid('preview-estimate').innerText();
      const [low, high] = [body.estimate.low, body.estimate.high].map(n =>
        n.toLocaleString('en-US'),
      );
      assert(
        text.includes(`between ${low} and ${high}`),
        `the interval is shown: ${text}`,
      );
      // The whole "Live preview" card (Backstage's InfoCard, a MUI v4 Card).
      // Clipped from the page: an element screenshot would scroll the sticky card out of place.
      const card = tid('preview-estimate').locator(
        'xpath=ancestor::div[contains(@class, "MuiCard-root")][1]',
      );
      await page.screenshot({
        path: path.join(SCREENSHOTS, 'preview-estimate.png'),
        clip: await card.boundingBox(),
      });
    },
  );

  await step(
    'Count exactly matches POST /rules/preview with exact: true',
    async () => {
      await page.getByRole('button', { name: 'Count exactly' }).click();
      await tid('preview-estimate').waitFor({ state: 'detached' });
      previewCount = await numberIn(tid('preview-count'));
      const body = await api('POST', '/rules/preview', {
        rule: { name: 'e2e', ...VIP_RULE },
        exact: true,
      });
      assert(body.exact === true, 'an exact count');
      assert(
        body.estimatedCount === previewCount,
        `editor shows ${previewCount}, API counts ${body.estimatedCount}`,
      );
      await page.mouse.click(5, 890);
      await fullShot(page, 'rule-editor.png');
      // The rule JSON the builder produced is exactly the PRD rule.
      await page.getByRole('button', { name: 'JSON' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.waitFor();
      const json = JSON.parse(
        await dialog.locator('textarea').first().inputValue(),
      );
      const withoutIds = JSON.stringify(json, (key, value) =>
        key === 'id' ? undefined : value,
      );
      assert(
        withoutIds === JSON.stringify(VIP_RULE),
        `rule JSON is the PRD rule: ${withoutIds}`,
      );
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
    },
  );

  await step('save the segment', async () => {
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/segments\/[^/]+\/edit$/, {
      timeout: STEP_TIMEOUT_MS,
    });
    segmentId = page.url().split('/').slice(-2)[0];
    await page.getByText('All changes saved').waitFor();
    assert(
      (await page.getByRole('textbox', { name: 'Name' }).inputValue()) ===
        'VIP customers',
      'saved name',
    );
  });

  await step('run it and see the members', async () => {
    await page.getByRole('button', { name: 'Run now' }).click();
    await page.waitForURL(new RegExp(`/segments/${segmentId}$`));
    await tid('stat-members').waitFor({ timeout: 120_000 });
    const members = await numberIn(tid('stat-members').locator('p').first());
    assert(
      members === previewCount,
      `run found ${members} members, preview said ${previewCount}`,
    );
    await page.getByText(/^Members as of /).waitFor();
    const table = tid('members-table');
    await table.getByRole('row').nth(1).waitFor();
    const rows = await table.locator('tbody tr').count();
    assert(rows === Math.min(10, members), `first page shows ${rows} members`);
  });

  await step('see the change report', async () => {
    const added = page.getByRole('tab', { name: /^Added \(/ });
    await added.waitFor();
    const addedCount = Number((await added.innerText()).replace(/[^0-9]/g, ''));
    assert(
      addedCount === previewCount,
      `first run adds every member (${addedCount})`,
    );
    assert(
      (await added.getAttribute('aria-selected')) === 'true',
      'Added is the open tab',
    );
    await page.getByRole('table', { name: 'added customers' }).waitFor();
    await page.getByRole('tab', { name: /^Removed \(0\)/ }).click();
    await page.getByText('Nobody left the segment in this run.').waitFor();
    await page.getByRole('tab', { name: /^Added \(/ }).click();
    await page.getByRole('table', { name: 'added customers' }).waitFor();
    await tid('run-row').first().waitFor();
  });

  await step('the list shows the segment with its members', async () => {
    await page.getByRole('link', { name: 'Segments' }).first().click();
    await page.waitForURL('**/segments');
    const row = page
      .getByRole('row')
      .filter({ has: page.getByRole('link', { name: 'VIP customers' }) });
    await row.waitFor();
    const text = await row.innerText();
    assert(
      text.includes(previewCount.toLocaleString('en-US')),
      `list row shows ${previewCount} members: ${text}`,
    );
    assert(
      text.includes(`+${previewCount.toLocaleString('en-US')}`),
      'list row shows the change',
    );
  });

  await step('run all segments from the list', async () => {
    // Two more segments, made through the API: a child of VIP and a draft-free active one.
    await api('POST', '/rules', {
      name: 'VIP in Taiwan',
      description: 'VIP customers living in Taiwan',
      status: 'active',
      priority: 10,
      parentSegmentId: segmentId,
      logicalOperator: 'AND',
      conditions: [
        { field: 'country', operator: 'eq', value: 'TW', dataType: 'string' },
      ],
    });
    await api('POST', '/rules', {
      name: 'Lapsed big spenders',
      description: 'Spent over 50,000 but no order for half a year',
      status: 'active',
      priority: 50,
      logicalOperator: 'AND',
      conditions: [
        {
          field: 'totalSpent',
          operator: 'gt',
          value: 50000,
          dataType: 'number',
        },
        {
          field: 'daysSinceLastOrder',
          operator: 'gt',
          value: 180,
          dataType: 'number',
        },
      ],
    });
    await page.reload();
    await page.getByRole('link', { name: 'Lapsed big spenders' }).waitFor();
    const runAll = page.getByRole('button', { name: 'Run all' });
    await runAll.click();
    await page
      .getByText(/^Ran 3 segment\(s\) in/)
      .waitFor({ timeout: 120_000 });
    const child = page
      .getByRole('row')
      .filter({ has: page.getByRole('link', { name: 'VIP in Taiwan' }) });
    await child.getByText('Success').waitFor();
    assert(
      (await child.innerText()).includes('VIP customers'),
      'the child row names its parent',
    );
    const vip = page
      .getByRole('row')
      .filter({ hasText: 'Spent over 100,000 in total' });
    assert(
      (await vip.innerText()).includes('+0'),
      `VIP's second run changes nothing: ${await vip.innerText()}`,
    );
    await page.mouse.move(5, 890);
    await fullShot(page, 'segments-list.png');
  });

  await step('the detail shows the trend and the run history', async () => {
    await page
      .getByRole('link', { name: 'VIP customers', exact: true })
      .first()
      .click();
    await page.waitForURL(new RegExp(`/segments/${segmentId}$`));
    await page.getByText('Last 2 run(s)').waitFor();
    assert((await tid('run-row').count()) === 2, 'two runs in the history');
    const maintained = page.getByRole('tab', { name: /^Maintained \(/ });
    const kept = Number((await maintained.innerText()).replace(/[^0-9]/g, ''));
    assert(kept === previewCount, `every member stayed (${kept})`);
    await page.getByTestId('member-count-chart').locator('svg').waitFor();
    await page.mouse.move(5, 890);
    await fullShot(page, 'segment-detail.png');
  });
}

async function main() {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'segments-e2e-'));
  const dataDir = path.join(workDir, 'data');
  fs.mkdirSync(dataDir);
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const configFile = path.join(workDir, 'app-config.e2e.yaml');
  fs.writeFileSync(
    configFile,
    [
      '# Written by e2e/run.js: a fresh embedded database for this run.',
      'backend:',
      '  database:',
      '    client: better-sqlite3',
      '    connection:',
      `      directory: ${JSON.stringify(dataDir)}`,
      '# Previews estimate from a sample above 10,000 customers (the default is 200,000),',
      '# so that the 20,000 demo customers show the estimate and "Count exactly".',
      'segments:',
      '  preview:',
      '    sampleAbove: 10000',
      '    sampleSize: 4000',
      '',
    ].join('\n'),
  );
  log(`work directory ${workDir}`);

  let browser;
  try {
    await step('dev portal starts on fresh demo data', async () => {
      for (const port of [7007, 3000]) {
        assert(
          !(await portInUse(port)),
          `port ${port} is free (stop the running dev portal first)`,
        );
      }
      assert(
        fs.existsSync(CHROMIUM),
        `${CHROMIUM} exists (apt-get install -y chromium)`,
      );
      startBackend([path.join(ROOT, 'app-config.yaml'), configFile]);
      startFrontend();
      await waitFor(
        'the backend health check',
        async () => (await fetch(`${BACKEND}/api/segments/health`)).ok,
        STARTUP_TIMEOUT_MS,
      );
      log('backend is up');
      await waitFor('guest permissions', guestMayCreate, 120_000);
      await waitFor(
        'the frontend',
        async () => (await fetch(FRONTEND)).ok,
        STARTUP_TIMEOUT_MS,
      );
      log('frontend is up');
    });

    if (results.every(r => r.ok)) {
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: !process.env.E2E_HEADFUL,
        args: process.env.E2E_HEADFUL
          ? CHROMIUM_ARGS.filter(a => a !== '--headless')
          : CHROMIUM_ARGS,
      });
      const context = await browser.newContext({
        viewport: { width: 1440, height: 900 },
      });
      context.setDefaultTimeout(STEP_TIMEOUT_MS);
      const page = await context.newPage();
      page.on('pageerror', error => log(`page error: ${error.message}`));
      try {
        await journey(page);
      } finally {
        if (results.some(r => !r.ok)) {
          const shot = path.join(workDir, 'failure.png');
          await page.screenshot({ path: shot, fullPage: true }).catch(() => {});
          log(`failure screenshot: ${shot}`);
        }
      }
    }
  } catch (error) {
    results.push({ name: 'harness', ok: false, error });
    console.log(`  ✗ harness: ${error.stack || error}`);
  } finally {
    if (browser) await browser.close().catch(() => {});
    await stopAll();
    const failed = results.filter(r => !r.ok);
    if (failed.length) {
      for (const { name, logFile } of children) {
        console.log(
          `\n--- last lines of the ${name} log (${logFile}) ---\n${tail(
            logFile,
          )}`,
        );
      }
    }
    if (!process.env.E2E_KEEP && !failed.length) {
      fs.rmSync(workDir, { recursive: true, force: true });
    }
  }

  const passed = results.filter(r => r.ok).length;
  const failed = results.length - passed;
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    await stopAll();
    process.exit(130);
  });
}

main();
