#!/usr/bin/env node
// A service on the PUBLISHED browser client (@vertx/eventbus-bridge-client.js over sockjs-client,
// unchanged, under Node), connected to Parley's SockJS bridge like a browser. Run by
// io.parley.bridge.PublishedClientAsServiceTest:
//
//   node test/published-service.mjs <baseUrl> <apiKey> <room> <userId>
//
// It authenticates with an API key, answers rooms.authorize (anyone may join <room>, nobody any other
// room), hears rooms.joined, and once <userId> has joined <room> publishes `service.greeting`
// into it. It prints `ready` once its handlers are registered, then one line of JSON with what
// it saw, and exits (0 when all went as expected).

import { STEP_TIMEOUT_MS, describeError, fail, finish, open, request, run, warnings, within } from './published-bus.mjs';

const [base, apiKey, room, userId] = process.argv.slice(2);
const seen = { asked: [], joined: [] };

async function main() {
  if (!userId) {
    throw new Error('usage: node test/published-service.mjs <baseUrl> <apiKey> <room> <userId>');
  }
  const eb = await within(STEP_TIMEOUT_MS, 'the EventBus to open', open(base, 'service'));
  const authenticated = await within(STEP_TIMEOUT_MS, 'auth.authenticate', request(eb, 'auth.authenticate', { apiKey }));
  seen.service = authenticated.body.service;

  eb.registerHandler('rooms.authorize', (err, message) => {
    if (err) {
      warnings.push(`rooms.authorize: ${describeError(err)}`);
      return;
    }
    const question = message.body;
    seen.asked.push({ room: question.room, userId: question.userId });
    message.reply({ allowed: question.room === room });
  });

  eb.registerHandler('rooms.joined', (err, message) => {
    if (err) {
      warnings.push(`rooms.joined: ${describeError(err)}`);
      return;
    }
    seen.joined.push({ room: message.body.room, userId: message.body.userId });
    if (message.body.room === room && message.body.userId === userId) {
      within(STEP_TIMEOUT_MS, 'rooms.publish', request(eb, 'rooms.publish', { room, event: 'service.greeting', data: { hello: userId } }))
        .then((reply) => {
          seen.publishedOffset = reply.body.offset;
          finish({ ok: warnings.length === 0, ...seen, warnings });
        })
        .catch((e) => fail(e, seen));
    }
  });

  // frames are handled in order: once this is answered, both handlers are registered
  await within(STEP_TIMEOUT_MS, 'the second auth.authenticate', request(eb, 'auth.authenticate', { apiKey }));
  console.log('ready');
}

run(main, 30_000);
