// A service in Node on Parley's TCP event-bus bridge, written with the published client
// vertx3-tcp-eventbus-client, unchanged. Run by io.parley.bridge.ServicesInOtherLanguagesTest:
//
//   node service.js <host> <port> <apiKey> <room> <userId>
//
// It authenticates with an API key, answers rooms.authorize (users whose id starts with the
// room's org name may join `room`, nobody else), listens to rooms.joined, and once <userId> has
// joined publishes `service.greeting` into the room. It prints `ready` once its handlers are
// registered, then one line of JSON with what it saw, and exits (0 when all went as expected).
'use strict';

const EventBus = require('vertx3-tcp-eventbus-client/lib/tcp-vertx-eventbus.js');

const [host, port, apiKey, room, userId] = process.argv.slice(2);
const seen = {asked: [], joined: [], warnings: []};

function finish(ok) {
  seen.ok = ok;
  console.log(JSON.stringify(seen));
  process.exit(ok ? 0 : 1);
}

setTimeout(() => {
  seen.warnings.push('timed out');
  finish(false);
}, 30000);

const eb = new EventBus(host, Number(port));
eb.onerror = (err) => seen.warnings.push(String(err && (err.message || err.body) || err));

eb.onopen = () => {
  eb.send('auth.authenticate', {apiKey}, (err, reply) => {
    if (err) {
      seen.warnings.push('authenticate: ' + err.failureCode + ' ' + err.message);
      return finish(false);
    }
    seen.service = reply.body.service;

    eb.registerHandler('rooms.authorize', (err, message) => {
      if (err) {
        seen.warnings.push('rooms.authorize: ' + err.failureCode + ' ' + err.message);
        return;
      }
      const q = message.body;
      seen.asked.push(q.userId);
      message.reply({allowed: q.room === room && q.userId.startsWith(room.replace(/^org-/, ''))});
    });

    eb.registerHandler('rooms.joined', (err, message) => {
      if (err) {
        seen.warnings.push('rooms.joined: ' + err.failureCode + ' ' + err.message);
        return;
      }
      seen.joined.push(message.body.userId);
      if (message.body.room === room && message.body.userId === userId) {
        eb.send('rooms.publish', {room, event: 'service.greeting', data: {hello: userId}}, (err, reply) => {
          if (err) {
            seen.warnings.push('rooms.publish: ' + err.failureCode + ' ' + err.message);
            return finish(false);
          }
          seen.publishedOffset = reply.body.offset;
          finish(seen.warnings.length === 0);
        });
      }
    });

    // frames are handled in order: once this is answered, both handlers are registered
    eb.send('auth.authenticate', {apiKey}, (err) => {
      if (err) {
        seen.warnings.push('second authenticate: ' + err.failureCode);
        return finish(false);
      }
      console.log('ready');
    });
  });
};
