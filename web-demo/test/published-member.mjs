#!/usr/bin/env node
// A browser user on the PUBLISHED client (@vertx/eventbus-bridge-client.js over sockjs-client,
// unchanged, under Node) joining two rooms that a service decides on. Run by
// io.parley.bridge.PublishedClientAsServiceTest:
//
//   node test/published-member.mjs <baseUrl> <token> <allowedRoom> <refusedRoom> <event>
//
// It authenticates with <token>, registers <refusedRoom> and waits for the refusal its handler
// gets; then joins <allowedRoom> (register, then rooms.state: a send is forwarded only once the
// register before it was decided) and waits there for an envelope with <event> (the service may
// leave once it has sent it). Prints one line of JSON and exits (0 when the allowed join held).

import { randomUUID } from 'node:crypto';
import { STEP_TIMEOUT_MS, describeError, finish, open, request, run, warnings, within } from './published-bus.mjs';

const [base, token, allowedRoom, refusedRoom, event] = process.argv.slice(2);

async function main() {
  if (!event) {
    throw new Error('usage: node test/published-member.mjs <baseUrl> <token> <allowedRoom> <refusedRoom> <event>');
  }
  const eb = await within(STEP_TIMEOUT_MS, 'the EventBus to open', open(base, 'member'));
  const user = (await within(STEP_TIMEOUT_MS, 'auth.authenticate',
    request(eb, 'auth.authenticate', { token, sessionId: randomUUID() }))).body;

  const refusal = await within(STEP_TIMEOUT_MS, `the refusal of room.${refusedRoom}`, new Promise((resolve, reject) => {
    eb.registerHandler(`room.${refusedRoom}`, (err, msg) =>
      (err ? resolve(err) : reject(new Error(`unexpected delivery on room.${refusedRoom}: ${JSON.stringify(msg)}`))));
  }));

  const allowedErrors = [];
  const expected = within(STEP_TIMEOUT_MS, `${event} in ${allowedRoom}`, new Promise((resolve) => {
    eb.registerHandler(`room.${allowedRoom}`, (err, msg) => {
      if (err) {
        allowedErrors.push(err);
      } else if (msg.body && msg.body.event === event) {
        resolve(msg.body);
      }
    });
  }));
  const state = await within(STEP_TIMEOUT_MS, `rooms.state of ${allowedRoom}`, request(eb, 'rooms.state', { room: allowedRoom }));
  if (allowedErrors.length) {
    throw new Error(`the register on room.${allowedRoom} was refused: ${describeError(allowedErrors[0])}`);
  }
  const envelope = await expected;

  finish({
    ok: warnings.length === 0 && allowedErrors.length === 0,
    userId: user.userId,
    members: (state.body.members || []).map((m) => m.userId),
    envelope,
    refusal: { failureCode: refusal.failureCode, message: refusal.message },
    transport: eb.sockJSConn.transport,
    warnings,
  });
}

run(main, 30_000);
