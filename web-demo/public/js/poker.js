// Planning poker: cards hidden until the task is finalized, then revealed to everyone.
import { describeFailure, postJson } from './parley.js';
import { el, logEnvelope, showFailure, startPage } from './ui.js';

const pokerId = new URLSearchParams(window.location.search).get('id') || 'demo';
const room = `planning-poker-${pokerId}`;
const FALLBACK_OPTIONS = ['0', '1', '2', '3', '5', '8', '13', '21', '?'];

let conn;
let options = FALLBACK_OPTIONS;
const players = new Map(); // userId → {userId, name, here}
let currentTask = null;
let voted = new Set();
let revealed = null; // the last task-finalized data

const $ = (id) => document.getElementById(id);
$('room-name').textContent = room;

const cardKey = (taskId) => `parley.poker.${pokerId}.${taskId}`;
const myCard = () => (currentTask ? sessionStorage.getItem(cardKey(currentTask)) : null);

function player(userId, name) {
  const known = players.get(userId);
  if (known) {
    if (name) known.name = name;
    return known;
  }
  const created = { userId, name: name || userId, here: false };
  players.set(userId, created);
  return created;
}

function onEvent(envelope) {
  logEnvelope(envelope);
  const data = envelope.data || {};
  switch (envelope.event) {
    case 'presence.join': player(data.userId, data.name).here = true; break;
    case 'presence.leave': player(data.userId, data.name).here = false; break;
    case 'member-joined': player(data.userId, data.name); break;
    case 'task-started':
      currentTask = data.taskId;
      voted = new Set();
      break;
    case 'vote':
      if (data.taskId !== currentTask) {
        currentTask = data.taskId;
        voted = new Set();
      }
      voted.add(data.userId);
      player(data.userId);
      break;
    case 'task-finalized':
      revealed = data;
      currentTask = data.nextTaskId || null;
      voted = new Set();
      break;
    case 'session-ended':
      currentTask = null;
      voted = new Set();
      revealed = null;
      break;
    default:
      return;
  }
  render();
}

function render() {
  const mine = myCard();
  $('current-task').textContent = currentTask ? `Estimating: ${currentTask}` : 'No task is being estimated.';
  $('start-form').hidden = !!currentTask;
  $('reveal').disabled = !currentTask;
  $('deck').replaceChildren(...options.map((value) => el('button', {
    type: 'button', 'aria-label': `Card ${value}`, 'aria-pressed': String(mine === value), disabled: !currentTask,
    onclick: () => cast(value),
  }, value)));

  const rows = [...players.values()].sort((a, b) => a.name.localeCompare(b.name));
  $('players').replaceChildren(...rows.map((p) => {
    const me = p.userId === conn.user.userId;
    let card;
    if (!currentTask) card = el('span', { class: 'muted' }, '—');
    else if (me && mine) card = el('span', { class: 'pcard revealed', title: 'your card (only you see it)' }, mine);
    else if (voted.has(p.userId)) card = el('span', { class: 'pcard hidden', title: 'voted; hidden until revealed' }, '✓');
    else card = el('span', { class: 'muted' }, 'thinking…');
    return el('tr', { dataset: { userId: p.userId } },
      el('td', {}, p.name, me ? el('span', { class: 'muted' }, ' (you)') : null, p.here ? null : el('span', { class: 'muted' }, ' (away)')),
      el('td', {}, currentTask ? (voted.has(p.userId) ? 'voted' : 'not yet') : ''),
      el('td', {}, card));
  }));

  $('last-result').hidden = !revealed;
  if (revealed) {
    $('result').textContent = `${revealed.taskId}: ${revealed.result == null ? 'no estimate' : `${revealed.result} points`}`;
    $('revealed').replaceChildren(...Object.entries(revealed.votes || {})
      .sort(([a], [b]) => player(a).name.localeCompare(player(b).name)).map(([userId, value]) =>
      el('tr', { dataset: { userId } },
        el('td', {}, player(userId).name),
        el('td', {}, el('span', { class: 'pcard revealed' }, value)))));
  }
}

async function cast(value) {
  const taskId = currentTask;
  try {
    const reply = await conn.request('votes.cast', { room, value, ts: Date.now(), taskId });
    if (reply.accepted) {
      sessionStorage.setItem(cardKey(reply.taskId || taskId), value);
      voted.add(conn.user.userId);
      render();
    }
  } catch (e) {
    showFailure(e);
  }
}

async function server(action, body) {
  $('poker-message').textContent = '';
  try {
    return await postJson(`/demo/poker/${encodeURIComponent(pokerId)}/${action}`, body);
  } catch (e) {
    showFailure(e);
    return null;
  }
}

async function loadRound() {
  const state = await conn.request('rooms.state', { room });
  for (const m of state.members || []) player(m.userId, m.name).here = true;
  // who voted on the open task, never what (poker rooms answer votes.history so)
  const round = await conn.request('votes.history', { room });
  if (round.taskId !== currentTask) {
    currentTask = round.taskId || null;
  }
  voted = new Set(round.voted || []);
  (round.voted || []).forEach((userId) => player(userId));
  render();
}

conn = startPage('Planning poker', (c) => {
  c.onReady(async ({ reconnect }) => {
    try {
      options = (c.config && c.config.votes && c.config.votes.pokerOptions) || FALLBACK_OPTIONS;
      if (!reconnect) {
        // the kept history brings the last reveal and the task started since
        await c.join(room, { fromStart: true, onEvent, onReset: () => loadRound().catch(showFailure) });
      }
      await loadRound();
      $('content').dataset.ready = 'true';
      $('poker-loading').hidden = true;
    } catch (e) {
      $('poker-loading').className = 'hint';
      $('poker-loading').textContent = `Cannot join the session. ${describeFailure(e)}`;
      showFailure(e);
    }
  });
});

if (conn) {
  $('start-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const taskId = $('task-name').value.trim();
    if (!taskId) return;
    if (await server('start', { taskId })) $('task-name').value = '';
  });
  $('reveal').addEventListener('click', async () => {
    if (!currentTask) return;
    const done = await server('finalize', { taskId: currentTask });
    if (done) $('poker-message').textContent = 'Revealed.';
  });
  render();
}
