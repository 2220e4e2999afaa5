#!/usr/bin/env node
// End-to-end check that the PUBLISHED Vert.x bridge client (@vertx/eventbus-bridge-client.js,
// over sockjs-client) works unchanged against Parley, under Node (no browser).
//
//   node test/published-client.mjs [--transports=websocket,xhr-streaming,...] <baseUrl> [<tokenA> <tokenB>]
//
// --transports restricts sockjs-client to the named transports (its `transports` option,
// which the EventBus passes through to SockJS); by default sockjs-client picks websocket.
//
// Without tokens it asks the server for dev tokens (POST <baseUrl>/auth/dev-token) for two
// users, "alice-<random>" and "bob-<random>", both allowed on board 42.
// Prints exactly ONE line of JSON on stdout and exits 0 ({"ok":true,...}) or 1
// ({"ok":false,"error":...}); anything else (client warnings) goes to stderr.
//
// Node notes (read from node_modules/@vertx/eventbus-bridge-client.js/vertx-eventbus.js and
// node_modules/sockjs-client/lib):
// - The bridge client is a UMD file: under CommonJS it does `require('sockjs-client')` itself
//   and sets `module.exports = EventBus`, so an ESM default import gets the constructor.
//   No global `SockJS` is needed (that is only the plain <script> path).
// - sockjs-client's "main" entry is its Node build: websocket via faye-websocket, XHR via
//   node:http, crypto via node:crypto, and `global.location` falls back to
//   http://localhost:80. So no shim is needed on Node 20: nothing here touches window,
//   document or location. The server is "cross-origin" from that fake location, which only
//   makes sockjs-client use its CORS XHR sender for /eventbus/info (plain node:http anyway).

import { randomUUID } from 'node:crypto';
import { STEP_TIMEOUT_MS, describeError, fail, finish, open, request, requestExpectingFailure, run, warnings, within } from './published-bus.mjs';

const OVERALL_TIMEOUT_MS = 20_000;
const ROOM = 'board-42';
const ROOM_ADDRESS = `room.${ROOM}`;

async function devToken(base, userId, name) {
  const response = await fetch(`${base}/auth/dev-token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId, name, boards: ['42'] }),
  });
  const text = await response.text();
  if (response.status !== 200) {
    throw new Error(`POST /auth/dev-token for ${userId} answered ${response.status}: ${text}`);
  }
  return JSON.parse(text).token;
}

async function authenticate(eb, token) {
  const sessionId = randomUUID();
  const reply = await request(eb, 'auth.authenticate', { token, sessionId });
  const body = reply.body || {};
  if (body.sessionId !== sessionId || typeof body.userId !== 'string') {
    throw new Error(`auth.authenticate reply does not match the request: ${JSON.stringify(body)}`);
  }
  return body;
}

async function main() {
  const args = process.argv.slice(2);
  const transportsFlag = args.find((a) => a.startsWith('--transports='));
  const transports = transportsFlag ? transportsFlag.slice('--transports='.length).split(',').filter(Boolean) : null;
  const [base0, tokenArgA, tokenArgB] = args.filter((a) => !a.startsWith('--'));
  if (!base0) {
    throw new Error('usage: node test/published-client.mjs [--transports=a,b] <baseUrl> [<tokenA> <tokenB>]');
  }
  const base = base0.replace(/\/+$/, '');
  const suffix = randomUUID().slice(0, 8);
  const tokenA = tokenArgA || (await devToken(base, `alice-${suffix}`, 'Alice'));
  const tokenB = tokenArgB || (await devToken(base, `bob-${suffix}`, 'Bob'));

  const [ebA, ebB] = await within(STEP_TIMEOUT_MS, 'both EventBus instances to open',
    Promise.all([open(base, 'A', transports), open(base, 'B', transports)]));
  const [userA, userB] = await within(STEP_TIMEOUT_MS, 'auth.authenticate replies',
    Promise.all([authenticate(ebA, tokenA), authenticate(ebB, tokenB)]));

  // B joins board-42 and collects what it receives there.
  const updates = [];
  let presenceJoin = null;
  let onUpdate = () => {};
  let onPresence = () => {};
  const roomErrors = [];
  ebB.registerHandler(ROOM_ADDRESS, (err, msg) => {
    if (err) {
      roomErrors.push(err);
      return;
    }
    const envelope = msg.body || {};
    if (envelope.event === 'task.update') {
      updates.push(envelope);
      onUpdate();
    } else if (envelope.event === 'presence.join' && envelope.data && envelope.data.userId === userA.userId) {
      presenceJoin = envelope;
      onPresence();
    }
  });
  // REGISTER has no acknowledgement: Parley forwards a later send only once the register is
  // decided, so the rooms.state reply proves B is a member.
  const stateB = await within(STEP_TIMEOUT_MS, 'rooms.state for B', request(ebB, 'rooms.state', { room: ROOM }));
  if (roomErrors.length) {
    throw new Error(`B's register on ${ROOM_ADDRESS} was refused: ${describeError(roomErrors[0])}`);
  }

  // A register that the room policy refuses goes, as an err, to that address's handler.
  const otherUserAddress = `room.user-someone-else-${suffix}`;
  const refusedRegister = await within(STEP_TIMEOUT_MS, `the refusal of ${otherUserAddress}`, new Promise((resolve, reject) => {
    ebB.registerHandler(otherUserAddress, (err, msg) => (err ? resolve(err) : reject(new Error(`unexpected delivery on ${otherUserAddress}: ${JSON.stringify(msg)}`))));
  }));

  // A send to an address that is not open to clients gets a failed reply.
  const refusedSend = await within(STEP_TIMEOUT_MS, 'the refusal of secret.address',
    requestExpectingFailure(ebB, 'secret.address', { hello: 'world' }));

  // A joins too (B should see A's presence.join), then publishes three updates in sequence.
  const presenceSeen = new Promise((resolve) => {
    onPresence = resolve;
    if (presenceJoin) resolve();
  });
  ebA.registerHandler(ROOM_ADDRESS, (err) => {
    if (err) fail(`A's register on ${ROOM_ADDRESS} was refused: ${describeError(err)}`);
  });
  const stateA = await within(STEP_TIMEOUT_MS, 'rooms.state for A', request(ebA, 'rooms.state', { room: ROOM }));

  const allUpdates = new Promise((resolve) => {
    onUpdate = () => updates.length >= 3 && resolve();
    onUpdate();
  });
  const published = [];
  for (let i = 0; i < 3; i++) {
    const reply = await within(STEP_TIMEOUT_MS, `rooms.publish #${i + 1}`, request(ebA, 'rooms.publish', {
      room: ROOM, event: 'task.update', data: { id: 1, title: `step ${i + 1}`, updatedAt: Date.now() },
    }));
    published.push(reply.body);
  }
  await within(STEP_TIMEOUT_MS, 'B to receive the three task.update envelopes', allUpdates);
  await within(STEP_TIMEOUT_MS, `B to see presence.join of ${userA.userId}`, presenceSeen);

  const offsets = updates.map((e) => e.offset);
  const problems = [];
  if (updates.length !== 3) problems.push(`B received ${updates.length} task.update envelopes, expected 3`);
  for (let i = 1; i < offsets.length; i++) {
    if (offsets[i] !== offsets[i - 1] + 1) problems.push(`offsets not consecutive: ${JSON.stringify(offsets)}`);
  }
  if (JSON.stringify(offsets) !== JSON.stringify(published.map((p) => p && p.offset))) {
    problems.push(`offsets received ${JSON.stringify(offsets)} differ from the publish replies ${JSON.stringify(published)}`);
  }
  for (const e of updates) {
    if (!e.from || e.from.userId !== userA.userId) problems.push(`from.userId is ${JSON.stringify(e.from)}, expected ${userA.userId}`);
    if (e.from && e.from.sessionId !== userA.sessionId) problems.push(`from.sessionId is ${e.from.sessionId}, expected ${userA.sessionId}`);
    if (e.destination !== ROOM) problems.push(`destination is ${e.destination}, expected ${ROOM}`);
    if (!e.data || e.data.id !== 1) problems.push(`data is ${JSON.stringify(e.data)}`);
  }
  if (refusedRegister.failureCode !== 403) problems.push(`refused register: ${describeError(refusedRegister)}`);
  if (refusedSend.failureCode !== 403) problems.push(`refused send: ${describeError(refusedSend)}`);
  if (roomErrors.length) problems.push(`errors on ${ROOM_ADDRESS}: ${describeError(roomErrors)}`);
  const memberIds = ((stateA.body && stateA.body.members) || []).map((m) => m.userId).sort();

  finish({
    ok: problems.length === 0,
    ...(problems.length ? { error: problems.join('; ') } : {}),
    transports: [ebA.sockJSConn.transport, ebB.sockJSConn.transport],
    userA: userA.userId,
    userB: userB.userId,
    offsets,
    epochs: [...new Set(updates.map((e) => e.epoch))],
    from: updates.map((e) => e.from && e.from.userId),
    publishReplies: published,
    refusedRegisterCode: refusedRegister.failureCode,
    refusedRegisterMessage: refusedRegister.message,
    refusedSendCode: refusedSend.failureCode,
    refusedSendMessage: refusedSend.message,
    presenceJoin: presenceJoin && { userId: presenceJoin.data.userId, name: presenceJoin.data.name, offset: presenceJoin.offset ?? null },
    membersBeforePublish: memberIds,
    roomStateForB: stateB.body && { room: stateB.body.room, offset: stateB.body.offset },
    warnings,
  });
}

run(main, OVERALL_TIMEOUT_MS);
