#!/usr/bin/env node
// The planning-poker seed application, server side: a small HTTP server whose mutations
// trigger Pusher events through the `pusher` SDK (realtime.mjs), and whose page subscribes with
// `pusher-js`. Against Parley it needs only where Parley is and the app's credentials:
//
//   PUSHER_APP_ID=parley-dev PUSHER_KEY=parley-dev-key PUSHER_SECRET=parley-dev-pusher-secret \
//   PUSHER_HOST=127.0.0.1 PUSHER_PORT=8080 node pusher-poker/server.mjs [--port 3000]
//
// Prints "listening on http://127.0.0.1:<port>" once it serves. Sessions live in this process's
// memory, as a demo's may.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { realtimeFromEnv } from './realtime.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const portArg = process.argv.indexOf('--port');
const port = portArg > 0 ? Number(process.argv[portArg + 1]) : 3000;
const realtime = realtimeFromEnv();

const FILES = {
  '/': [join(here, 'public', 'index.html'), 'text/html; charset=utf-8'],
  '/app.js': [join(here, 'public', 'app.js'), 'text/javascript; charset=utf-8'],
  '/vendor/pusher.min.js': [require.resolve('pusher-js/dist/web/pusher.min.js'), 'text/javascript; charset=utf-8'],
};

/** sessionId → {votes: Map<taskId, Map<userId, storyPoints>>} */
const sessions = new Map();
const session = (id) => {
  if (!sessions.has(id)) sessions.set(id, { votes: new Map() });
  return sessions.get(id);
};
const channelOf = (sessionId) => `planning-poker-${sessionId}`;

// the mutations: each changes the session and triggers what the seed's clients listen to
const MUTATIONS = {
  async join(sessionId, { userId, name }) {
    await realtime.trigger(channelOf(sessionId), 'member-joined', { sessionId, userId, name });
    return {};
  },
  async vote(sessionId, { taskId, userId, storyPoints }) {
    const votes = session(sessionId).votes;
    if (!votes.has(taskId)) votes.set(taskId, new Map());
    votes.get(taskId).set(userId, storyPoints);
    await realtime.trigger(channelOf(sessionId), 'vote', { sessionId, taskId, userId, storyPoints });
    return {};
  },
  async finalize(sessionId, { taskId, nextTaskId }) {
    const votes = Object.fromEntries(session(sessionId).votes.get(taskId) || []);
    const numbers = Object.values(votes).map(Number).filter((n) => Number.isFinite(n));
    const result = numbers.length ? Math.max(...numbers) : null;
    await realtime.trigger(channelOf(sessionId), 'task-finalized', { sessionId, taskId, votes, result, nextTaskId: nextTaskId || null });
    return { result };
  },
  async end(sessionId) {
    sessions.delete(sessionId);
    await realtime.trigger(channelOf(sessionId), 'session-ended', { sessionId });
    return {};
  },
};

async function body(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 16_384) throw Object.assign(new Error('body too large'), { status: 413 });
    chunks.push(chunk);
  }
  return chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
}

function send(res, status, json) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(json));
}

createServer(async (req, res) => {
  const url = new URL(req.url, 'http://localhost');
  try {
    if (req.method === 'GET' && FILES[url.pathname]) {
      const [file, type] = FILES[url.pathname];
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(await readFile(file));
    } else if (req.method === 'GET' && url.pathname === '/config') {
      send(res, 200, realtime.getClientConfig());
    } else if (req.method === 'POST' && /^\/api\/sessions\/[A-Za-z0-9_-]{1,64}\/[a-z]+$/.test(url.pathname)) {
      const [, , , sessionId, action] = url.pathname.split('/');
      const mutation = MUTATIONS[action];
      if (!mutation) return send(res, 404, { error: `no mutation ${action}` });
      send(res, 200, await mutation(sessionId, await body(req)));
    } else {
      send(res, 404, { error: 'not found' });
    }
  } catch (e) {
    // the SDK's failures name the status Parley answered
    send(res, e.status || 502, { error: e.message, status: e.status });
  }
}).listen(port, '127.0.0.1', function listening() {
  console.log(`listening on http://127.0.0.1:${this.address().port}`);
});
