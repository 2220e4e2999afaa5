// One pusher-js client (the published Node build, unchanged) on Parley's Pusher endpoint, driven
// by a test: io.parley.testing.PusherJsClient writes one JSON command per line on stdin and reads
// one JSON line per thing the client saw on stdout.
//
//   node client.js <host> <port> <appKey> <appId> <secret>
//
// Channel authorizations and user sign-ins are signed by the published `pusher` server SDK
// (authorizeChannel, authenticateUser) with the app's secret, as an app's auth endpoint would.
//
// Commands:  {op: "subscribe", channel, presence?: {user_id, user_info}, secret?}   (secret: sign with another one)
//            {op: "unsubscribe", channel}   {op: "trigger", channel, event, data}
//            {op: "burst", channel, event, count}   (count client events at once, data {n: 1..count})
//            {op: "signin", user: {id, user_info?}}   {op: "members", channel}   {op: "disconnect"}
// Lines out: {type: "ready"}  {type: "state", state, socketId}  {type: "error", error}
//            {type: "event", channel, event, data}        what the channel hands the application
//            {type: "message", channel, event, data, user_id}   every message as pusher-js decoded it
//            {type: "user-event", event, data}            what pusher.user hands the application
//            {type: "members", channel, count, me, members}  {type: "triggered", result}
'use strict';

const Pusher = require('pusher-js');
const PusherServer = require('pusher');
const readline = require('readline');

const [host, port, key, appId, secret] = process.argv.slice(2);
// end-to-end encrypted channels need a master key on the signing side; Parley never sees it
const encryptionMasterKeyBase64 = Buffer.alloc(32, 7).toString('base64');
const signer = (withSecret) => new PusherServer({appId, key, secret: withSecret, host, port, useTLS: false, encryptionMasterKeyBase64});
const sdk = signer(secret);

function out(line) {
  process.stdout.write(JSON.stringify(line) + '\n');
}

const authOf = {};
let userData = null;

const pusher = new Pusher(key, {
  cluster: 'parley',
  wsHost: host,
  wsPort: Number(port),
  forceTLS: false,
  enabledTransports: ['ws'],
  disableStats: true,
  channelAuthorization: {
    customHandler: ({socketId, channelName}, callback) => {
      const how = authOf[channelName] || {};
      try {
        callback(null, (how.secret ? signer(how.secret) : sdk).authorizeChannel(socketId, channelName, how.presence));
      } catch (e) {
        callback(e, null);
      }
    },
  },
  userAuthentication: {
    customHandler: ({socketId}, callback) => callback(null, sdk.authenticateUser(socketId, userData)),
  },
});

pusher.connection.bind('state_change', (states) => out({type: 'state', state: states.current, socketId: pusher.connection.socket_id}));
pusher.connection.bind('error', (error) => out({type: 'error', error}));
pusher.connection.bind('message', (m) => out({type: 'message', channel: m.channel, event: m.event, data: m.data, user_id: m.user_id}));
pusher.user.bind_global((event, data) => out({type: 'user-event', event, data}));

const commands = {
  subscribe: ({channel, presence, secret: other}) => {
    authOf[channel] = {presence, secret: other};
    pusher.subscribe(channel).bind_global((event, data) => out({type: 'event', channel, event, data}));
  },
  unsubscribe: ({channel}) => pusher.unsubscribe(channel),
  trigger: ({channel, event, data}) => out({type: 'triggered', channel, event, result: pusher.channel(channel).trigger(event, data)}),
  burst: ({channel, event, count}) => {
    for (let i = 1; i <= count; i++) {
      pusher.channel(channel).trigger(event, {n: i});
    }
    out({type: 'triggered', channel, event, result: count});
  },
  signin: ({user}) => {
    userData = user;
    pusher.signin();
  },
  members: ({channel}) => {
    const members = pusher.channel(channel).members;
    out({type: 'members', channel, count: members.count, me: members.me, members: members.members});
  },
  disconnect: () => pusher.disconnect(),
};

readline.createInterface({input: process.stdin}).on('line', (line) => {
  const command = JSON.parse(line);
  try {
    commands[command.op](command);
  } catch (e) {
    out({type: 'failed', op: command.op, error: String(e)});
  }
});
process.stdin.on('end', () => process.exit(0));
out({type: 'ready'});
