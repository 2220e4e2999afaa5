// A backend on the published Pusher server SDK for Node, `pusher` 5.3.4, unchanged, pointed at a
// Parley node. Run by io.parley.pusher.PusherNodeSdkTest:
//
//   node pusher-api.js <port> <appId> <key> <secret> <room> <webhookBody> <webhookSignature>
//
// Members are already in <room> (user ids ann and bob) when it starts. It triggers events into
// the room's channels (one channel, several, excluding a socket, with info), a batch, reads the
// channels, a channel's info and a presence channel's users, sends an event to user ann (whose
// room user-ann has a member too), terminates a user's connections,
// has an event name refused, makes a channel authorization and a user sign-in, and checks a
// webhook signed by the test. It prints one line of JSON with what it got and exits (0 when no
// call threw unexpectedly).
'use strict';

const Pusher = require('pusher');

const [port, appId, key, secret, room, webhookBody, webhookSignature] = process.argv.slice(2);
const pusher = new Pusher({appId, key, secret, host: '127.0.0.1', port: Number(port), useTLS: false, timeout: 10000});
const result = {};

async function json(response) {
  return {status: response.status, body: await response.json()};
}

async function refused(call) {
  try {
    const response = await call();
    return {status: response.status, body: await response.text()};
  } catch (e) {
    if (e.name !== 'PusherRequestError') {
      throw e;
    }
    return {status: e.status, body: e.body};
  }
}

async function main() {
  result.trigger = await json(await pusher.trigger(`private-${room}`, 'task.update', {title: 'one channel'}));
  result.triggerMany = await json(await pusher.trigger([`private-${room}`, `presence-${room}`, `${room}-other`],
    'task.update', {title: 'several channels'}));
  result.triggerExcluding = await json(await pusher.trigger(`presence-${room}`, 'task.update', 'not JSON',
    {socket_id: '1234.5678'}));
  result.triggerInfo = await json(await pusher.trigger(`presence-${room}`, 'task.update', {title: 'with info'},
    {info: 'user_count,subscription_count'}));
  result.batch = await json(await pusher.triggerBatch([
    {channel: `private-${room}`, name: 'step.one', data: {n: 1}},
    {channel: `presence-${room}`, name: 'step.two', data: {n: 2}, info: 'user_count'},
  ]));
  result.channels = await json(await pusher.get({path: '/channels', params: {filter_by_prefix: `presence-${room}`, info: 'user_count'}}));
  result.channel = await json(await pusher.get({path: `/channels/presence-${room}`, params: {info: 'user_count,subscription_count'}}));
  result.users = await json(await pusher.get({path: `/channels/presence-${room}/users`}));
  result.sendToUser = await json(await pusher.sendToUser('ann', 'note.sent', {hello: 'ann'}));
  result.terminate = await json(await pusher.terminateUserConnections('bob'));
  result.refused = await refused(() => pusher.trigger(`private-${room}`, 'an event name with spaces', {}));

  result.privateAuth = pusher.authorizeChannel('1234.5678', `private-${room}`);
  result.presenceAuth = pusher.authorizeChannel('1234.5678', `presence-${room}`, {user_id: 'ann', user_info: {name: 'Ann'}});
  result.userAuth = pusher.authenticateUser('1234.5678', {id: 'ann', name: 'Ann'});

  const headers = {'x-pusher-key': key, 'x-pusher-signature': webhookSignature, 'content-type': 'application/json'};
  result.webhookValid = pusher.webhook({headers, rawBody: webhookBody}).isValid();
  result.webhookTamperedValid = pusher.webhook({headers, rawBody: webhookBody.replace('occupied', 'vacated')}).isValid();
}

main().then(() => {
  result.ok = true;
  console.log(JSON.stringify(result));
}, (e) => {
  result.ok = false;
  result.error = String(e && (e.stack || e.message) || e) + (e && e.body ? ' body: ' + e.body : '');
  console.log(JSON.stringify(result));
  process.exit(1);
});
