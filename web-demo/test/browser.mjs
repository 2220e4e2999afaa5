#!/usr/bin/env node
// Browser tests of the web demo: headless Debian Chromium driven by playwright-core, two
// independent browser contexts acting as two users for every feature.
//
//   node test/browser.mjs [--only=board,lock,...] [baseUrl]
//
// With a base URL (or PARLEY_URL) it tests that server. Without one it starts
// ../bridge/target/parley.jar (build it first) on a free loopback port, waits for /health,
// and stops it at the end. Chromium: /usr/bin/chromium, or CHROMIUM_PATH.
// A screenshot of each page goes to web-demo/screenshots/. Exits 0 only when every scenario
// passed; a failing scenario does not stop the others.

import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';

const here = dirname(fileURLToPath(import.meta.url));
const screenshots = join(here, '..', 'screenshots');
const jar = join(here, '..', '..', 'bridge', 'target', 'parley.jar');
const WAIT_MS = 10_000;

const args = process.argv.slice(2);
const only = (args.find((a) => a.startsWith('--only=')) || '').slice('--only='.length).split(',').filter(Boolean);
let base = (args.find((a) => !a.startsWith('--')) || process.env.PARLEY_URL || '').replace(/\/+$/, '');
// against a server of our own the names read well; against a shared one they must not collide
const own = !base;
const suffix = own ? '' : ` ${randomUUID().slice(0, 4)}`;
const ANN = `Ann${suffix}`;
const BOB = `Bob${suffix}`;

// ---- helpers: wait for what a user sees, never for a fixed time

async function until(condition, what, timeoutMs = WAIT_MS) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      if (await condition()) return;
    } catch (e) {
      last = e;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (${last.message})` : ''}`);
}

/** Waits until locator (first match) shows text (string: contained; RegExp: matched). */
async function sees(locator, text, what) {
  await locator.filter({ hasText: text }).first().waitFor({ timeout: WAIT_MS })
    .catch(async (e) => {
      const actual = await locator.allInnerTexts().catch(() => []);
      const banner = await locator.page().locator('#banner').innerText().catch(() => '');
      throw new Error(`${what || `expected ${text}`}: not shown; page has ${JSON.stringify(actual)}`
        + `${banner ? `; the page says: ${banner.replace(/\s*×$/, '')}` : ''} (${e.message.split('\n')[0]})`);
    });
}

async function absent(locator, what) {
  await until(async () => (await locator.count()) === 0, what);
}

async function ready(page) {
  await page.locator('#content[data-ready="true"]').waitFor({ timeout: WAIT_MS });
}

async function visit(user, path) {
  await user.page.goto(`${base}/${path}`);
  await ready(user.page);
}

async function shot(page, name) {
  await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
}

// ---- server and browser

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startServer() {
  const port = await freePort();
  const logFile = join(await mkdtemp(join(tmpdir(), 'parley-browser-')), 'server.log');
  const fd = openSync(logFile, 'w');
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PARLEY_')));
  const child = spawn('java', ['-jar', jar], {
    env: { ...env, PARLEY_HTTP_PORT: String(port), PARLEY_HTTP_HOST: '127.0.0.1' },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const url = `http://127.0.0.1:${port}`;
  let exited = null;
  child.on('exit', (code) => { exited = code; });
  await until(async () => {
    if (exited !== null) throw Object.assign(new Error(`parley.jar exited with ${exited}`), { fatal: true });
    const response = await fetch(`${url}/health`).catch(() => null);
    return response && response.status === 200;
  }, `${url}/health (log: ${logFile})`, 60_000).catch(async (e) => {
    console.error(await readFile(logFile, 'utf8').catch(() => ''));
    child.kill('SIGKILL');
    throw e;
  });
  return {
    url,
    logFile,
    stop: () => new Promise((resolve) => {
      if (exited !== null) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.on('exit', () => { clearTimeout(timer); resolve(); });
      child.kill('SIGTERM');
    }),
  };
}

const pageErrors = [];

async function signIn(browser, name) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(`${name}: ${e.message}`));
  await page.goto(`${base}/index.html`);
  await page.getByLabel('Your name').fill(name);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#connection[data-state="live"]').waitFor({ timeout: WAIT_MS });
  return { name, context, page };
}

// ---- scenarios: each with Ann and Bob in two independent browser contexts

async function board({ ann, bob }) {
  await visit(ann, 'board.html');
  await visit(bob, 'board.html');
  // presence: both see both
  for (const user of [ann, bob]) {
    await sees(user.page.locator('#presence li'), ANN, `${user.name} sees ${ANN} here`);
    await sees(user.page.locator('#presence li'), BOB, `${user.name} sees ${BOB} here`);
  }
  const title = `Write release notes${suffix}`;
  await ann.page.getByLabel('New task').fill(title);
  await ann.page.getByRole('button', { name: 'Add task' }).click();
  const bobsTask = bob.page.getByRole('article', { name: title });
  await bobsTask.waitFor({ timeout: WAIT_MS });
  await sees(bob.page.locator('[data-status="todo"]'), title, 'the new task in To do for Bob');

  // an update is a diff: Bob moves it, Ann sees it in Doing
  await bob.page.getByLabel(`Status of ${title}`).selectOption('doing');
  await sees(ann.page.locator('[data-status="doing"]'), title, 'the task moved to Doing for Ann');

  // a dropped connection catches up from its last offset: Bob misses this create while away
  await bob.page.getByRole('button', { name: 'Drop connection' }).click();
  await bob.page.locator('#connection[data-state="reconnecting"]').waitFor({ timeout: WAIT_MS });
  const missed = `Fix the login bug${suffix}`;
  await ann.page.getByLabel('New task').fill(missed);
  await ann.page.getByRole('button', { name: 'Add task' }).click();
  await ann.page.getByRole('article', { name: missed }).waitFor({ timeout: WAIT_MS });
  await bob.page.locator('#connection[data-state="live"]').waitFor({ timeout: WAIT_MS });
  await bob.page.getByRole('article', { name: missed }).waitFor({ timeout: WAIT_MS });

  // a late joiner (a reload) replays the room's history
  const second = `Plan the sprint${suffix}`;
  await ann.page.getByLabel('New task').fill(second);
  await ann.page.getByRole('button', { name: 'Add task' }).click();
  await bob.page.getByRole('article', { name: second }).waitFor({ timeout: WAIT_MS });
  await bob.page.reload();
  await ready(bob.page);
  await sees(bob.page.locator('[data-status="doing"]'), title, 'after a reload, the moved task in Doing');
  await bob.page.getByRole('article', { name: second }).waitFor({ timeout: WAIT_MS });
  await shot(ann.page, 'board');

  // delete: gone for the other user
  await bob.page.getByRole('button', { name: `Delete ${title}` }).click();
  await absent(ann.page.getByRole('article', { name: title }), 'the deleted task to disappear for Ann');

  // a board the token does not allow: a clear 403
  await bob.page.goto(`${base}/board.html?board=secret`);
  await sees(bob.page.locator('#banner [role="alert"]'), '403', 'the refusal of board-secret');
}

async function lock({ ann, bob }) {
  await visit(ann, 'lock.html');
  await visit(bob, 'lock.html');
  const state = (user) => user.page.locator('#lock-state');
  await sees(state(ann), /Nobody is editing|is editing/, 'the lock state');
  await sees(ann.page.locator('#version-info'), 'Engineering (version 42) of template Onboarding checklist (3)',
    'the version and template names, as the demo host answers them');
  await ann.page.getByRole('button', { name: 'Edit', exact: true }).click();
  await sees(state(ann), 'You are editing.');
  await sees(state(bob), `${ANN} is editing.`);

  // Bob asks; Ann refuses
  await bob.page.getByRole('button', { name: 'Ask to edit' }).click();
  const question = ann.page.getByRole('alertdialog', { name: 'Let them edit?' });
  await question.waitFor({ timeout: WAIT_MS });
  await sees(question, `${BOB} wants to edit`);
  await shot(ann.page, 'lock');
  await question.getByRole('button', { name: 'No, keep editing' }).click();
  await sees(bob.page.locator('#lock-message'), 'refused', 'Bob told that Ann refused');
  await sees(state(ann), 'You are editing.');
  await sees(state(bob), `${ANN} is editing.`);

  // Ann, still the editor, moves on to another page; Bob asks again, she is asked there and hands over
  await visit(ann, 'board.html');
  await bob.page.getByRole('button', { name: 'Ask to edit' }).click();
  const elsewhere = ann.page.getByRole('alertdialog', { name: 'Let them edit?' });
  await elsewhere.waitFor({ timeout: WAIT_MS });
  await elsewhere.getByRole('button', { name: 'Yes, let them edit' }).click();
  await sees(state(bob), 'You are editing.');
  await sees(ann.page.locator('#toasts .toast'), `${BOB} is editing it now`, 'Ann told she handed the lock over');
  await visit(ann, 'lock.html');
  await sees(state(ann), `${BOB} is editing.`);

  // a reload keeps the lock: it belongs to the tab's session
  await bob.page.reload();
  await ready(bob.page);
  await sees(state(bob), 'You are editing.', 'Bob still editing after a reload');
  await until(async () => !(await bob.page.locator('#editor').isDisabled()), 'the editor enabled for Bob');
  await sees(state(ann), `${BOB} is editing.`);

  await bob.page.getByRole('button', { name: 'Stop editing' }).click();
  await sees(state(ann), 'Nobody is editing.');
}

async function vote({ ann, bob }) {
  await visit(ann, 'vote.html');
  await visit(bob, 'vote.html');
  await ann.page.getByRole('button', { name: 'Yes', exact: true }).click();
  await sees(bob.page.locator('#count-yes'), /^1$/, 'Ann\'s yes in Bob\'s tally');
  await bob.page.getByRole('button', { name: 'No', exact: true }).click();
  await sees(ann.page.locator('#count-no'), /^1$/, 'Bob\'s no in Ann\'s tally');
  await sees(ann.page.locator('#count-yes'), /^1$/);
  // the worm grows with every tick
  await until(async () => Number(await ann.page.locator('#worm').getAttribute('data-points')) >= 3, 'three ticks in the worm');
  await until(async () => ((await ann.page.locator('#worm path.yes').getAttribute('d')) || '').split('H').length >= 3,
    'the yes line of the worm drawn through three ticks');
  // a late joiner (a reload) gets the worm so far from votes.history; its vote went with its connection
  await bob.page.reload();
  await ready(bob.page);
  const historyPoints = Number(await bob.page.locator('#worm').getAttribute('data-history-points'));
  if (!(historyPoints >= 3)) throw new Error(`a late joiner got ${historyPoints} history points, expected 3 or more`);
  await sees(ann.page.locator('#count-no'), /^0$/, 'Bob\'s vote gone after his connection closed');
  await sees(bob.page.locator('#count-yes'), /^1$/, 'the tally for the late joiner');
  await shot(ann.page, 'vote');
}

async function poker({ ann, bob }) {
  const id = own ? 'demo' : `t${randomUUID().slice(0, 8)}`;
  await visit(ann, `poker.html?id=${id}`);
  await visit(bob, `poker.html?id=${id}`);
  const task = `Login page${suffix}`;
  await ann.page.getByLabel('Task to estimate').fill(task);
  await ann.page.getByRole('button', { name: 'Start estimating' }).click();
  for (const user of [ann, bob]) await sees(user.page.locator('#current-task'), `Estimating: ${task}`);

  await ann.page.getByRole('button', { name: 'Card 5' }).click();
  await bob.page.getByRole('button', { name: 'Card 8' }).click();
  // each sees that the other voted, never what
  const row = (user, name) => user.page.locator('#players tr', { hasText: name });
  await sees(row(ann, BOB), 'voted', 'Ann sees that Bob voted');
  await sees(row(bob, ANN), 'voted', 'Bob sees that Ann voted');
  // the other's card is face down (a ✓), never the value; your own card you see
  for (const [user, other, value] of [[ann, BOB, '8'], [bob, ANN, '5']]) {
    const card = row(user, other).locator('.pcard');
    await card.waitFor({ timeout: WAIT_MS });
    const shown = await card.innerText();
    if (shown.includes(value) || !(await card.evaluate((n) => n.classList.contains('hidden')))) {
      throw new Error(`${user.name} sees ${other}'s card before the reveal: ${shown}`);
    }
  }
  await sees(row(ann, ANN).locator('.pcard'), /^5$/, 'Ann sees her own card');
  await sees(row(bob, BOB).locator('.pcard'), /^8$/, 'Bob sees his own card');

  await shot(bob.page, 'poker-before-reveal');

  await bob.page.getByRole('button', { name: 'Reveal cards' }).click();
  for (const user of [ann, bob]) {
    await sees(user.page.locator('#result'), `${task}: 8 points`, `${user.name} sees the result`);
    await sees(user.page.locator('#revealed tr', { hasText: ANN }).locator('.pcard'), /^5$/);
    await sees(user.page.locator('#revealed tr', { hasText: BOB }).locator('.pcard'), /^8$/);
  }
  await shot(ann.page, 'poker');
}

/**
 * The planning-poker seed application, unchanged: its page subscribes with pusher-js, its
 * server (web-demo/pusher-poker) triggers through the `pusher` SDK; both pointed at Parley.
 */
async function pusherPoker({ browser }) {
  const parley = new URL(base);
  const port = await freePort();
  const seed = spawn('node', [join(here, '..', 'pusher-poker', 'server.mjs'), '--port', String(port)], {
    env: { ...process.env, PUSHER_APP_ID: 'parley-dev', PUSHER_KEY: 'parley-dev-key', PUSHER_SECRET: 'parley-dev-pusher-secret',
      PUSHER_HOST: parley.hostname, PUSHER_PORT: parley.port || '80' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const contexts = [];
  try {
    await new Promise((resolve, reject) => {
      seed.stdout.on('data', (chunk) => { if (String(chunk).includes('listening on')) resolve(); });
      seed.on('exit', (code) => reject(new Error(`the seed server exited with ${code}`)));
      setTimeout(() => reject(new Error('the seed server did not start in 10 s')), WAIT_MS);
    });
    const session = `s${randomUUID().slice(0, 8)}`;
    const open = async (user) => {
      const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
      contexts.push(context);
      const page = await context.newPage();
      page.on('pageerror', (e) => pageErrors.push(`${user}: ${e.message}`));
      await page.goto(`http://127.0.0.1:${port}/?session=${session}&user=${user.toLowerCase()}&name=${user}`);
      await page.locator('#connection[data-state="connected"]').waitFor({ timeout: WAIT_MS });
      return page;
    };
    const ann = await open('Ann');
    const bob = await open('Bob');
    const row = (page, userId) => page.locator(`#players tr[data-user-id="${userId}"]`);
    await sees(row(ann, 'bob'), 'Bob', 'Ann hears member-joined for Bob');

    await ann.getByRole('button', { name: 'Card 5' }).click();
    await sees(row(bob, 'ann'), 'voted', 'Bob hears that Ann voted');
    await bob.getByRole('button', { name: 'Card 8' }).click();
    await sees(row(ann, 'bob'), 'voted', 'Ann hears that Bob voted');

    await ann.getByRole('button', { name: 'Finalize task' }).click();
    for (const page of [ann, bob]) {
      await sees(page.locator('#result'), 'task-1: 8 points', 'task-finalized reaches both');
      await sees(row(page, 'ann'), '5');
      await sees(row(page, 'bob'), '8');
    }
    await shot(bob, 'pusher-poker');
    await bob.getByRole('button', { name: 'End session' }).click();
    for (const page of [ann, bob]) await sees(page.locator('#state'), 'Session ended.', 'session-ended reaches both');
  } finally {
    for (const context of contexts) await context.close().catch(() => {});
    seed.kill('SIGTERM');
  }
}

async function notifications({ ann, bob }) {
  await visit(ann, 'notifications.html');
  await visit(bob, 'notifications.html');
  for (const user of [ann, bob]) {
    await user.page.getByLabel('Subscribe to releases').check();
    await sees(user.page.locator('#subscribed'), 'Subscribed to releases', `${user.name} subscribed`);
  }
  const send = async (user, text) => {
    await user.page.locator('#send-topic').selectOption('releases');
    await user.page.getByLabel('Message').fill(text);
    await user.page.getByRole('button', { name: 'Send', exact: true }).click();
    await sees(user.page.locator('#send-result'), `Sent “${text}”`, `${user.name}'s notification accepted`);
  };
  const toasts = (user) => user.page.locator('#toasts .toast');
  const received = (user) => user.page.locator('#received li');

  await send(ann, 'v1.2 is out');
  await sees(toasts(bob), 'v1.2 is out', 'Bob\'s toast');
  await send(bob, 'Hotfix 1.2.1');
  await sees(toasts(ann), 'Hotfix 1.2.1', 'Ann\'s toast');
  // Ann's own notification reached Bob before Bob's reached Ann: no toast for it by now means none
  await absent(toasts(ann).filter({ hasText: 'v1.2 is out' }), 'no toast for Ann\'s own notification');
  await absent(received(ann).filter({ hasText: 'v1.2 is out' }), 'Ann\'s own notification not in her list');

  // a reload keeps the subscription (server side, by sessionId): no resubscribe
  await ann.page.reload();
  await ready(ann.page);
  await sees(ann.page.locator('#subscribed'), 'Subscribed to releases', 'still subscribed after a reload');
  await send(bob, 'After the reload');
  await sees(toasts(ann), 'After the reload', 'a toast after the reload');

  // missed while away: shown after coming back
  await ann.page.goto(`${base}/health`);
  await send(bob, 'While you were away');
  await visit(ann, 'notifications.html');
  await sees(received(ann), 'While you were away', 'the missed notification listed');
  await sees(received(ann).filter({ hasText: 'While you were away' }), 'missed while away');
  await shot(ann.page, 'notifications');
}

const SCENARIOS = { board, lock, vote, poker, notifications, 'pusher-poker': pusherPoker };

async function main() {
  await mkdir(screenshots, { recursive: true });
  let server = null;
  if (!base) {
    server = await startServer();
    base = server.url;
  }
  const started = Date.now();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const results = [];
  try {
    // the sign-in page, before anyone signs in
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${base}/index.html`);
    await page.getByLabel('Your name').waitFor({ timeout: WAIT_MS });
    await shot(page, 'sign-in');
    await context.close();

    const ann = await signIn(browser, ANN);
    const bob = await signIn(browser, BOB);
    await shot(ann.page, 'index');
    for (const [name, scenario] of Object.entries(SCENARIOS)) {
      if (only.length && !only.includes(name)) continue;
      const t0 = Date.now();
      const errorsBefore = pageErrors.length;
      try {
        await scenario({ ann, bob, browser });
        if (pageErrors.length > errorsBefore) throw new Error(`errors in the page: ${pageErrors.slice(errorsBefore).join('; ')}`);
        results.push({ name, ok: true, ms: Date.now() - t0 });
      } catch (e) {
        results.push({ name, ok: false, ms: Date.now() - t0, error: e.message });
        for (const user of [ann, bob]) await shot(user.page, `failed-${name}-${user.name.split(' ')[0].toLowerCase()}`).catch(() => {});
      }
    }
  } finally {
    await browser.close();
    if (server) await server.stop();
  }
  for (const r of results) {
    console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name} (${r.ms} ms)${r.ok ? '' : `\n     ${r.error}`}`);
  }
  const failed = results.filter((r) => !r.ok);
  console.log(`${results.length - failed.length}/${results.length} browser scenarios passed in ${Date.now() - started} ms; screenshots in ${screenshots}`);
  process.exit(failed.length || results.length === 0 ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
