// What the scripts that drive the PUBLISHED bridge client (@vertx/eventbus-bridge-client.js over
// sockjs-client, unchanged, under Node) share: opening an EventBus, requests as promises, steps
// bounded in time, and ending with exactly one line of JSON on stdout (exit 0 when ok, else 1).
// See published-client.mjs for why nothing needs shimming on Node.

import EventBus from '@vertx/eventbus-bridge-client.js';

export const STEP_TIMEOUT_MS = 5_000;

const buses = [];
let finished = false;

/** Closes every bus, prints {@code result} as one JSON line and exits (0 when result.ok). */
export function finish(result) {
  if (finished) {
    return;
  }
  finished = true;
  for (const eb of buses) {
    try {
      if (eb.state === EventBus.OPEN || eb.state === EventBus.CONNECTING) {
        eb.close();
      }
    } catch (e) {
      // closing is best effort; the result is already decided
    }
  }
  process.stdout.write(JSON.stringify(result) + '\n', () => process.exit(result.ok ? 0 : 1));
}

export function fail(error, extra = {}) {
  finish({ ok: false, error: error instanceof Error ? error.message : String(error), ...extra });
}

/** Runs {@code main}, failing on any uncaught error or once {@code overallMs} have passed. */
export function run(main, overallMs) {
  setTimeout(() => fail(`overall timeout of ${overallMs} ms`), overallMs).unref();
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);
  main().catch(fail);
}

/** A promise that rejects after ms with a message naming the step. */
export function within(ms, what, promise) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function describeError(err) {
  return err && typeof err === 'object' ? JSON.stringify(err) : String(err);
}

/** eb.send with a reply handler, as a promise of the reply message (rejects on an err reply). */
export function request(eb, address, body) {
  return new Promise((resolve, reject) => {
    eb.send(address, body, (err, msg) => (err ? reject(new Error(`${address} failed: ${describeError(err)}`)) : resolve(msg)));
  });
}

/**
 * Opens an EventBus on <base>/eventbus and resolves once it is OPEN; a socket closed before the
 * script finished fails the script. Errors that name no waiting handler go to {@code warnings}.
 */
export function open(base, label, warnings) {
  return within(STEP_TIMEOUT_MS, `${label}'s EventBus to open`, new Promise((resolve, reject) => {
    const eb = new EventBus(`${base.replace(/\/+$/, '')}/eventbus`);
    buses.push(eb);
    eb.onopen = () => resolve(eb);
    eb.onclose = (e) => {
      const detail = `${label}: socket closed (code ${e && e.code}, reason ${JSON.stringify(e && e.reason)})`;
      reject(new Error(detail));
      fail(detail);
    };
    eb.onerror = (err) => warnings.push({ bus: label, onerror: err });
  }));
}
