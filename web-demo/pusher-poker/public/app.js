// The seed's client hook, without a framework: one pusher-js connection, one channel per
// session, a handler per event. Nothing here knows the server is Parley.
/* global Pusher */
const params = new URLSearchParams(window.location.search);
const sessionId = params.get('session') || 'demo';
const userId = params.get('user') || `guest-${Math.random().toString(36).slice(2, 8)}`;
const name = params.get('name') || userId;
const CARDS = ['1', '2', '3', '5', '8', '13', '?'];

const $ = (id) => document.getElementById(id);
const players = new Map(); // userId → name
let taskId = 'task-1';
let votes = new Map(); // userId → storyPoints (hidden until finalized)
let mine = null;
let finalized = null;
let ended = false;

const post = (action, body) => fetch(`/api/sessions/${sessionId}/${action}`, {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
}).then((r) => (r.ok ? r.json() : r.json().then((e) => Promise.reject(new Error(e.error)))));

function render() {
  $('state').textContent = ended ? 'Session ended.' : `Estimating: ${taskId}`;
  $('deck').replaceChildren(...CARDS.map((card) => {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = card;
    button.setAttribute('aria-label', `Card ${card}`);
    button.setAttribute('aria-pressed', String(mine === card));
    button.disabled = !taskId;
    button.onclick = () => { mine = card; render(); post('vote', { taskId, userId, storyPoints: card }); };
    return button;
  }));
  $('players').replaceChildren(...[...players].map(([id, who]) => {
    const row = document.createElement('tr');
    row.dataset.userId = id;
    const shown = finalized ? (finalized.votes[id] ?? '—') : (votes.has(id) ? 'voted' : 'thinking…');
    row.innerHTML = '<td></td><td></td>';
    row.cells[0].textContent = id === userId ? `${who} (you)` : who;
    row.cells[1].textContent = shown;
    return row;
  }));
  if (finalized) $('result').textContent = `${finalized.taskId}: ${finalized.result ?? 'no estimate'} points`;
}

const config = await (await fetch('/config')).json();
const pusher = new Pusher(config.key, {
  cluster: config.cluster || 'mt1', wsHost: config.wsHost, wsPort: config.wsPort, forceTLS: config.forceTLS,
  enabledTransports: ['ws'], disableStats: true,
});
pusher.connection.bind('state_change', ({ current }) => {
  $('connection').textContent = current;
  $('connection').dataset.state = current;
});
const channel = pusher.subscribe(`planning-poker-${sessionId}`);
$('channel').textContent = channel.name;
channel.bind('member-joined', (data) => { players.set(data.userId, data.name); render(); });
channel.bind('vote', (data) => {
  if (data.taskId === taskId) votes.set(data.userId, data.storyPoints);
  players.set(data.userId, players.get(data.userId) || data.userId);
  render();
});
channel.bind('task-finalized', (data) => { finalized = data; render(); });
channel.bind('session-ended', () => { ended = true; taskId = null; render(); });
channel.bind('pusher:subscription_succeeded', () => {
  players.set(userId, name);
  render();
  post('join', { userId, name });
});
$('finalize').onclick = () => post('finalize', { taskId });
$('end').onclick = () => post('end', {});
render();
