// Board: tasks as room events (create, then diffs with updatedAt, delete) and who is here.
import { describeFailure } from './parley.js';
import { el, logEnvelope, showFailure, startPage } from './ui.js';
import { publishNotification } from './notify.js';

const board = new URLSearchParams(window.location.search).get('board') || 'demo';
const room = `board-${board}`;
const STATUSES = [['todo', 'To do'], ['doing', 'Doing'], ['done', 'Done']];

const tasks = new Map();
const deleted = new Set();
const members = new Map();
let conn;
let me;

document.getElementById('board-name').textContent = room;

function apply(envelope) {
  const data = envelope.data || {};
  const current = tasks.get(data.id);
  switch (envelope.event) {
    case 'task.create':
      if (!deleted.has(data.id) && (!current || (current.updatedAt || 0) <= (data.updatedAt || 0))) {
        tasks.set(data.id, { ...data });
      }
      break;
    case 'task.update':
      // a diff: only newer ones count (a late or replayed older one is ignored)
      if (current && (data.updatedAt || 0) >= (current.updatedAt || 0)) {
        Object.assign(current, data);
      }
      break;
    case 'task.delete':
      tasks.delete(data.id);
      deleted.add(data.id);
      break;
    default:
      return false;
  }
  return true;
}

function renderTasks(flashId) {
  const columns = document.getElementById('columns');
  columns.replaceChildren(...STATUSES.map(([status, label]) => {
    const list = [...tasks.values()].filter((t) => (t.status || 'todo') === status)
      .sort((a, b) => (a.createdAt || 0) - (b.createdAt || 0));
    return el('section', { class: 'column', 'aria-label': label, dataset: { status } },
      el('h3', {}, `${label} (${list.length})`),
      list.map((task) => el('article', { class: `task${task.id === flashId ? ' flash' : ''}`, dataset: { taskId: task.id }, 'aria-label': task.title },
        el('span', { class: 'title' }, task.title),
        el('div', { class: 'row' },
          el('select', { 'aria-label': `Status of ${task.title}`, onchange: (e) => update(task, { status: e.target.value }) },
            STATUSES.map(([value, text]) => el('option', { value, selected: value === (task.status || 'todo') }, text))),
          el('button', { type: 'button', class: 'danger', 'aria-label': `Delete ${task.title}`, onclick: () => remove(task) }, 'Delete')),
        el('div', { class: 'meta' }, `by ${task.createdBy || '?'} · updated ${new Date(task.updatedAt || 0).toLocaleTimeString()}`))));
  }));
}

function renderPresence() {
  const list = document.getElementById('presence');
  const sorted = [...members.values()].sort((a, b) => a.name.localeCompare(b.name));
  list.replaceChildren(...sorted.map((m) => el('li', { class: m.active === false ? 'away' : '', dataset: { userId: m.userId } },
    el('span', {}, m.name), m.userId === me.userId ? el('span', { class: 'muted' }, '(you)') : null,
    m.connections > 1 ? el('span', { class: 'muted' }, `${m.connections} tabs`) : null,
    m.active === false ? el('span', { class: 'muted' }, 'away') : null)));
}

function onEvent(envelope) {
  logEnvelope(envelope);
  if (envelope.event === 'presence.join') {
    const { userId, name } = envelope.data;
    if (!members.has(userId)) members.set(userId, { userId, name, connections: 1, active: true });
    renderPresence();
  } else if (envelope.event === 'presence.leave') {
    members.delete(envelope.data.userId);
    renderPresence();
  } else if (apply(envelope)) {
    renderTasks(envelope.data && envelope.data.id);
  }
}

async function loadPresence() {
  const state = await conn.request('rooms.state', { room });
  members.clear();
  for (const m of state.members || []) members.set(m.userId, m);
  renderPresence();
}

/** Replays the room's kept history into an empty board (first load, or a gap that could not be recovered). */
async function replay(page) {
  const notice = document.getElementById('board-notice');
  if (page && !page.recovered) {
    notice.hidden = false;
    notice.textContent = 'Older board events are no longer in the room\'s history (it keeps rooms.history.maxAgeMs): '
      + 'tasks created before then are not shown. Changes from now on are.';
  } else {
    notice.hidden = true;
  }
}

async function publish(event, data) {
  try {
    await conn.request('rooms.publish', { room, event, data });
  } catch (e) {
    showFailure(e);
  }
}

function update(task, diff) {
  publish('task.update', { id: task.id, ...diff, updatedAt: Date.now() });
}

function remove(task) {
  publish('task.delete', { id: task.id, updatedAt: Date.now() });
}

conn = startPage('Board', (c) => {
  me = c.user;
  c.onReady(async ({ reconnect }) => {
    const content = document.getElementById('content');
    try {
      if (!reconnect) {
        const page = await c.join(room, {
          fromStart: true,
          onEvent,
          onReset: async () => {
            // a gap the history does not cover: start over from what it still has
            tasks.clear();
            deleted.clear();
            const again = await c.request('rooms.history', { room, sinceOffset: 0 });
            (again.events || []).forEach(apply);
            replay(again);
            renderTasks();
          },
        });
        replay(page);
        renderTasks();
      }
      await loadPresence();
      content.dataset.ready = 'true';
      document.getElementById('board-loading').hidden = true;
    } catch (e) {
      document.getElementById('board-loading').className = 'hint';
      document.getElementById('board-loading').textContent = `Cannot open ${room}. ${describeFailure(e)}`;
      showFailure(e);
    }
  });
});

if (conn) {
  document.getElementById('new-task').addEventListener('submit', async (event) => {
    event.preventDefault();
    const input = document.getElementById('task-title');
    const title = input.value.trim();
    if (!title) return;
    const now = Date.now();
    input.value = '';
    await publish('task.create', { id: crypto.randomUUID(), title, status: 'todo', createdBy: me.name, createdAt: now, updatedAt: now });
    // tell the board's notification subscribers (everyone but this tab); best effort
    publishNotification(conn, room, `${me.name} added “${title}”`).catch((e) => console.info('notification not sent:', e.message));
  });
}
