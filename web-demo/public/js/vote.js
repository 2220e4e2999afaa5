// Live vote: yes/no, the tally of every tick, and the worm (tally over time) as an SVG chart.
import { describeFailure } from './parley.js';
import { el, logEnvelope, showFailure, startPage } from './ui.js';

const room = `votes-${new URLSearchParams(window.location.search).get('room') || 'demo'}`;
const WINDOW_MS = 10 * 60 * 1000;
const SVG = 'http://www.w3.org/2000/svg';
const W = 640;
const H = 240;
const PAD = { left: 34, right: 10, top: 12, bottom: 24 };

let conn;
let series = []; // [{ts, votes: {yes, no}, connected}], oldest first
let myVote = null;
let lastCastTs = 0;

const $ = (id) => document.getElementById(id);
$('room-name').textContent = room;

/** Merges tally entries by ts: history and ticks may overlap and arrive in either order. */
function add(entries) {
  const byTs = new Map(series.map((e) => [e.ts, e]));
  for (const entry of entries) byTs.set(entry.ts, entry);
  series = [...byTs.values()].sort((a, b) => a.ts - b.ts);
  const cutoff = (series.length ? series[series.length - 1].ts : 0) - WINDOW_MS;
  while (series.length && series[0].ts < cutoff) series.shift();
}

function svg(tag, attrs, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text != null) node.textContent = text;
  return node;
}

function render() {
  const latest = series[series.length - 1];
  const votes = (latest && latest.votes) || {};
  $('count-yes').textContent = votes.yes || 0;
  $('count-no').textContent = votes.no || 0;
  $('count-connected').textContent = latest ? latest.connected : 0;
  $('vote-yes').setAttribute('aria-pressed', String(myVote === 'yes'));
  $('vote-no').setAttribute('aria-pressed', String(myVote === 'no'));
  $('my-vote').textContent = myVote ? `You voted ${myVote}.` : 'You have not voted.';

  const chart = $('worm');
  chart.dataset.points = String(series.length);
  chart.replaceChildren();
  const t1 = latest ? latest.ts : Date.now();
  const t0 = series.length > 1 ? series[0].ts : t1 - 1000;
  const maxY = Math.max(1, ...series.map((e) => Math.max(e.votes.yes || 0, e.votes.no || 0, e.connected || 0)));
  const x = (ts) => PAD.left + ((ts - t0) / Math.max(1, t1 - t0)) * (W - PAD.left - PAD.right);
  const y = (n) => H - PAD.bottom - (n / maxY) * (H - PAD.top - PAD.bottom);
  chart.append(
    svg('line', { class: 'axis', x1: PAD.left, y1: y(0), x2: W - PAD.right, y2: y(0) }),
    svg('line', { class: 'axis', x1: PAD.left, y1: y(0), x2: PAD.left, y2: PAD.top }),
    svg('text', { x: PAD.left - 6, y: y(maxY) + 4, 'text-anchor': 'end' }, maxY),
    svg('text', { x: PAD.left - 6, y: y(0) + 4, 'text-anchor': 'end' }, 0),
    svg('text', { x: PAD.left, y: H - 6 }, new Date(t0).toLocaleTimeString()),
    svg('text', { x: W - PAD.right, y: H - 6, 'text-anchor': 'end' }, new Date(t1).toLocaleTimeString()));
  for (const option of ['no', 'yes']) {
    // a step line: the tally holds until the next tick
    let d = '';
    series.forEach((e, i) => {
      const v = e.votes[option] || 0;
      d += i === 0 ? `M${x(e.ts).toFixed(1)},${y(v).toFixed(1)}` : `H${x(e.ts).toFixed(1)}V${y(v).toFixed(1)}`;
    });
    if (d) chart.append(svg('path', { class: option, d, fill: 'none', 'stroke-width': 3, 'stroke-linejoin': 'round', 'data-option': option }));
  }
}

async function cast(value) {
  const ts = Math.max(Date.now(), lastCastTs + 1); // never older than this tab's previous vote
  lastCastTs = ts;
  try {
    const reply = await conn.request('votes.cast', { room, value, ts });
    if (reply.accepted) {
      myVote = value;
      render();
    }
  } catch (e) {
    showFailure(e);
  }
}

conn = startPage('Live vote', (c) => {
  c.onReady(async ({ reconnect }) => {
    try {
      if (!reconnect) {
        await c.join(room, {
          onEvent: (envelope) => {
            if (envelope.event !== 'votes.tick') logEnvelope(envelope);
            if (envelope.event === 'votes.tick') {
              add(envelope.data.data || []);
              render();
            }
          },
        });
      } else {
        myVote = null; // the connection closed, so the server withdrew the vote
      }
      // after joining: ticks that arrive meanwhile are told apart by their ts
      const history = await c.request('votes.history', { room });
      add(history.data || []);
      $('worm').dataset.historyPoints = String((history.data || []).length);
      render();
      $('content').dataset.ready = 'true';
      $('vote-loading').hidden = true;
    } catch (e) {
      $('vote-loading').className = 'hint';
      $('vote-loading').textContent = `Cannot load the vote. ${describeFailure(e)}`;
      showFailure(e);
    }
  });
});

if (conn) {
  $('vote-yes').addEventListener('click', () => cast('yes'));
  $('vote-no').addEventListener('click', () => cast('no'));
  render();
}
