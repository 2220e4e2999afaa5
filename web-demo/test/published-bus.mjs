// What the scripts that drive the PUBLISHED bridge client (@vertx/eventbus-bridge-client.js over
// sockjs-client, unchanged, under Node) share: opening an EventBus, requests as promises, steps
// bounded in time, and ending with exactly one line of JSON on stdout (exit 0 when ok, else 1).
// See published-client.mjs for why nothing needs shimming on Node.

import EventBus from '@vertx/eventbus-bridge-client.js';

export const STEP_TIMEOUT_MS = 5_000;

/** Errors that reached a bus's onerror (address-less, or for a handler nobody waits on): none are expected. */
export const warnings = [];

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

/** Ends the script as failed with {@code error}, the warnings and {@code extra} in its line. */
export function fail(error, extra = {}) {
  let message = error instanceof Error ? error.message : String(error);
  if (error instanceof Error && error.cause) {
    // fetch() failures say only "fetch failed"; the cause names the real problem
    message += `: ${error.cause.message || error.cause.code || error.cause}`;
  }
  finish({ ok: false, error: message, warnings, ...extra });
}

/** Runs {@code main}, failing on any uncaught error or once {@code overallMs} have passed. */
export function run(main, overallMs) {
  setTimeout(() => fail(`overall timeout of ${overallMs} ms`), overallMs).unref();
  process.on('uncaughtException', (e) => fail(e));
  process.on('unhandledRejection', (e) => fail(e));
  main().catch((e) => fail(e));
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
    eb.send(address, body, (err, msg) => (err ? reject(Object.assign(new Error(`${address} failed: ${describeError(err)}`), { reply: err })) : resolve(msg)));
  });
}

/** eb.send expecting a failed reply: resolves with the error object the client hands over. */
export function requestExpectingFailure(eb, address, body) {
  return new Promise((resolve, reject) => {
    eb.send(address, body, (err, msg) => (err ? resolve(err) : reject(new Error(`${address} unexpectedly succeeded: ${JSON.stringify(msg && msg.body)}`))));
  });
}

/**
 * Opens an EventBus on <base>/eventbus (sockjs-client limited to {@code transports} when given:
 * its `transports` option, which the EventBus passes through) and resolves once it is OPEN. A
 * socket closed before the script finished fails the script.
 */
export function open(base, label, transports) {
  return new Promise((resolve, reject) => {
    const eb = new EventBus(`${base.replace(/\/+$/, '')}/eventbus`, transports ? { transports } : {});
    buses.push(eb);
    eb.onopen = () => resolve(eb);
    eb.onclose = (e) => {
      const detail = `${label}: socket closed (code ${e && e.code}, reason ${JSON.stringify(e && e.reason)})`;
      if (!finished) {
        // before open: the connection failed; after open: the server closed a socket mid-test
        reject(new Error(detail));
        fail(detail);
      }
    };
    eb.onerror = (err) => warnings.push({ bus: label, onerror: err });
  });
}
