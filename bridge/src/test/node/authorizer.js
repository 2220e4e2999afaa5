// The smallest room policy service in Node on Parley's TCP event-bus bridge, written with the
// published client vertx3-tcp-eventbus-client, unchanged. Run (and killed) by
// io.parley.bridge.PublishedClientAsServiceTest:
//
//   node authorizer.js <host> <port> <apiKey>
//
// It authenticates with an API key and answers rooms.authorize: users whose id starts with the
// org's name (`acme.ann` in `org-acme`) may join an org's room, nobody else. It prints `ready` once
// its handler is registered and runs until it is killed; it exits 1 if the bridge closes or
// refuses it.
'use strict';

const EventBus = require('vertx3-tcp-eventbus-client/lib/tcp-vertx-eventbus.js');

const [host, port, apiKey] = process.argv.slice(2);

function fail(what) {
  console.error(what);
  process.exit(1);
}

const eb = new EventBus(host, Number(port));
eb.onerror = (err) => fail('bridge error: ' + String(err && (err.message || err.body) || err));
eb.onclose = () => fail('the bridge closed the connection');

eb.onopen = () => {
  eb.send('auth.authenticate', {apiKey}, (err) => {
    if (err) {
      return fail('authenticate: ' + err.failureCode + ' ' + err.message);
    }
    eb.registerHandler('rooms.authorize', (err, message) => {
      if (err) {
        return fail('rooms.authorize: ' + err.failureCode + ' ' + err.message);
      }
      const {room, userId} = message.body;
      message.reply({allowed: room.startsWith('org-') && userId.startsWith(room.slice('org-'.length) + '.')});
    });
    // frames are handled in order: once this is answered, the handler is registered
    eb.send('auth.authenticate', {apiKey}, (err) => (err ? fail('second authenticate: ' + err.failureCode) : console.log('ready')));
  });
};
