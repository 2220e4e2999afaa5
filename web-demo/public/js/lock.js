// Edit lock on project-version:42: who edits, ask to take over, "Let them edit?" for the editor.
import { describeFailure } from './parley.js';
import { logEnvelope, showFailure, startPage } from './ui.js';
import { closeQuestion } from './lockprompt.js';

const resource = new URLSearchParams(window.location.search).get('resource') || 'project-version:42';
const watchRoom = `lock-${resource}`;
const HEARTBEAT_FALLBACK_MS = 60000;

let conn;
let status = null;
let pendingKick = null; // {receiptNumber, holderName} while this tab waits for an answer
let heartbeat = null;

const $ = (id) => document.getElementById(id);
$('resource-name').textContent = resource;

function mine(s) {
  return !!(s && s.holder && s.holder.sessionId === conn.sessionId);
}

function render() {
  if (!status) return;
  // what the host application says of the resource (locks.resourceInfo); {} when it said nothing
  const info = status.info || {};
  $('version-info').textContent = info.versionName
    ? `${info.versionName} (version ${info.versionId}) of template ${info.templateName} (${info.templateId})`
    : `${resource}: no details from the host application`;
  const state = $('lock-state');
  const holding = mine(status);
  const other = status.holder && !holding;
  if (holding) {
    state.textContent = 'You are editing.';
    state.className = 'lock-state mine';
  } else if (other) {
    state.textContent = `${status.holder.name} is editing.`;
    state.className = 'lock-state other';
  } else {
    state.textContent = 'Nobody is editing.';
    state.className = 'lock-state';
  }
  $('lock-detail').textContent = status.holder && status.lastUpdated
    ? `Last heartbeat ${new Date(status.lastUpdated).toLocaleTimeString()}` : '';
  $('acquire').hidden = !!status.holder;
  $('kick').hidden = !other;
  $('kick').disabled = !!pendingKick;
  $('release').hidden = !holding;
  $('editor').disabled = !holding;
  if (holding) startHeartbeat(); else stopHeartbeat();
}

function setStatus(next) {
  status = next;
  if (!status.holder || mine(status)) pendingKick = null;
  render();
}

function message(text) {
  $('lock-message').textContent = text;
}

function startHeartbeat() {
  if (heartbeat) return;
  const every = Math.min((conn.config && conn.config.lockHeartbeatMs) || HEARTBEAT_FALLBACK_MS, HEARTBEAT_FALLBACK_MS);
  heartbeat = setInterval(() => conn.request('locks.heartbeat', { resource }).then(setStatus).catch(showFailure), every);
}

function stopHeartbeat() {
  clearInterval(heartbeat);
  heartbeat = null;
}

async function act(address) {
  message('');
  try {
    setStatus(await conn.request(address, { resource }));
  } catch (e) {
    showFailure(e);
  }
}

async function askToEdit() {
  message('');
  try {
    const { receiptNumber } = await conn.request('locks.kick', { resource });
    pendingKick = { receiptNumber };
    message(`Waiting for ${status.holder ? status.holder.name : 'the editor'} to answer… If they do not answer in time, the lock comes to you.`);
    render();
  } catch (e) {
    showFailure(e);
  }
}

async function refresh() {
  setStatus(await conn.request('locks.status', { resource }));
  if (mine(status)) {
    // still ours after a reload or reconnect: say so to the server right away
    setStatus(await conn.request('locks.heartbeat', { resource }));
  }
}

conn = startPage('Edit lock', (c) => {
  c.onClientEvent('lock.granted', (data) => {
    if (data.resource !== resource) return;
    const by = data.by ? data.by.name : 'the editor';
    message(data.reason === 'timeout' ? `${by} did not answer: you are editing now.` : `${by} let you edit.`);
    refresh().catch(showFailure);
  });
  c.onClientEvent('lock.lost', (data) => {
    if (data.resource !== resource) return;
    closeQuestion();
    const by = data.by ? data.by.name : null;
    message(data.reason === 'expired' ? 'Your lock expired (no heartbeat).' : `${by || 'Someone'} is editing now.`);
    refresh().catch(showFailure);
  });
  c.onClientEvent('lock.kick-refused', (data) => {
    if (data.resource !== resource) return;
    pendingKick = null;
    const by = data.by ? data.by.name : 'The editor';
    message(data.reason === 'taken' ? `${by} took the lock first.` : `${by} refused: they are still editing.`);
    render();
  });
  c.onReady(async ({ reconnect }) => {
    try {
      if (!reconnect) {
        await c.join(watchRoom, {
          onEvent: (envelope) => {
            logEnvelope(envelope);
            if (envelope.event === 'lock.status') setStatus(envelope.data);
          },
          onReset: () => refresh().catch(showFailure),
        });
      }
      await refresh();
      $('content').dataset.ready = 'true';
      $('lock-loading').hidden = true;
    } catch (e) {
      $('lock-loading').className = 'hint';
      $('lock-loading').textContent = `Cannot load the lock. ${describeFailure(e)}`;
      showFailure(e);
    }
  });
});

if (conn) {
  $('acquire').addEventListener('click', () => act('locks.acquire'));
  $('release').addEventListener('click', () => act('locks.release'));
  $('kick').addEventListener('click', askToEdit);
  // the client room's own events are logged too
  for (const event of ['lock.kick-requested', 'lock.granted', 'lock.lost', 'lock.kick-refused']) {
    conn.onClientEvent(event, (data, envelope) => logEnvelope(envelope));
  }
}
