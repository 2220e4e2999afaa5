// The frame every demo page shares: the head's common lines, header with navigation and the
// connection state, sign-in, the error banner, toasts and the envelope log. A page's HTML keeps
// only its title, the stylesheet, its script and its own content (with an empty
// <section id="events"> where it shows the envelope log); it calls startPage() and gets a live
// Connection once the user is signed in.

import { Connection, describeFailure, signIn, signOut, signedInUser } from './parley.js';
import { installNotifications } from './notify.js';
import { installLockPrompt } from './lockprompt.js';

const PAGES = [
  ['board.html', 'Board'],
  ['lock.html', 'Edit lock'],
  ['vote.html', 'Live vote'],
  ['poker.html', 'Planning poker'],
  ['notifications.html', 'Notifications'],
];

const STATE_TEXT = {
  idle: 'Not connected',
  connecting: 'Connecting…',
  authenticating: 'Signing in…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  refused: 'Refused',
  closed: 'Disconnected',
};

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value == null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child == null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// the head lines every page would otherwise repeat; a module script runs once the page is parsed,
// before it has loaded: early enough for the browser to use them (an icon added later would not
// stop it from asking the node for /favicon.ico)
function headLines() {
  document.head.append(
    el('meta', { name: 'viewport', content: 'width=device-width, initial-scale=1' }),
    el('link', { rel: 'icon', href: 'data:,' }));
}

function header() {
  const here = window.location.pathname.split('/').pop() || 'index.html';
  const user = signedInUser();
  return el('header', { class: 'shell' },
    el('a', { class: 'brand', href: 'index.html' }, 'Parley'),
    el('nav', { 'aria-label': 'Demo pages' },
      PAGES.map(([href, label]) => el('a', { href, 'aria-current': href === here ? 'page' : null }, label))),
    el('div', { class: 'who' },
      el('span', { id: 'connection', class: 'pill', role: 'status', 'data-state': 'idle' }, el('span', { class: 'dot' }), el('span', { class: 'text' }, STATE_TEXT.idle)),
      user ? el('span', { class: 'user', id: 'signed-in-as' }, user.name) : null,
      user ? el('button', { type: 'button', class: 'link', onclick: () => { signOut(); window.location.reload(); } }, 'Sign out') : null));
}

/** Shows a message that stays until dismissed or replaced: refusals, lost connections. */
export function banner(message, kind = 'error') {
  const area = document.getElementById('banner');
  area.replaceChildren();
  if (!message) return;
  area.append(el('div', { class: `banner ${kind}`, role: kind === 'error' ? 'alert' : 'status' },
    el('span', {}, message),
    el('button', { type: 'button', class: 'link', 'aria-label': 'Dismiss', onclick: () => area.replaceChildren() }, '×')));
}

export function showFailure(error) {
  banner(describeFailure(error), 'error');
}

/** A short-lived message in the corner: notifications, hand-overs. */
export function toast(content, { kind = 'info', timeoutMs = 10000, dataset } = {}) {
  const node = el('div', { class: `toast ${kind}`, role: 'status', dataset },
    content,
    el('button', { type: 'button', class: 'link close', 'aria-label': 'Close', onclick: () => node.remove() }, '×'));
  document.getElementById('toasts').append(node);
  if (timeoutMs) setTimeout(() => node.remove(), timeoutMs);
  return node;
}

/** The card that lists the envelopes, on the pages that have a place for it. */
function eventsCard() {
  const card = document.getElementById('events');
  if (!card) return;
  card.setAttribute('aria-labelledby', 'events-heading');
  card.replaceChildren(el('h2', { id: 'events-heading' }, 'Events'), el('ul', { id: 'event-log', class: 'log' }));
}

/** The last envelopes this page received, for developers: event, room, offset, sender. */
export function logEnvelope(envelope) {
  const list = document.getElementById('event-log');
  if (!list) return;
  const who = envelope.from ? envelope.from.userId : 'server';
  list.prepend(el('li', {},
    el('code', {}, envelope.event),
    ` ${envelope.destination}`,
    envelope.offset != null ? ` #${envelope.offset}` : '',
    ` · ${who}`));
  while (list.children.length > 12) list.lastElementChild.remove();
}

function signInForm(onSignedIn) {
  const input = el('input', { id: 'name', name: 'name', required: true, maxlength: 60, autocomplete: 'nickname', placeholder: 'e.g. Ann' });
  const form = el('form', { class: 'card sign-in', 'aria-label': 'Sign in' },
    el('h2', {}, 'Sign in'),
    el('p', {}, 'Pick a name. The server hands out a development token for it (',
      el('code', {}, 'POST /auth/dev-token'), '). Open a second tab or a private window and sign in with another name to be a second user.'),
    el('label', { for: 'name' }, 'Your name'),
    el('div', { class: 'row' }, input, el('button', { type: 'submit' }, 'Sign in')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!input.value.trim()) return;
    signIn(input.value);
    onSignedIn();
  });
  setTimeout(() => input.focus(), 0);
  return form;
}

/**
 * Builds the page frame and, once someone is signed in, a live Connection. init(conn) runs
 * before connecting: register onReady / client-event handlers there.
 */
export function startPage(title, init) {
  headLines();
  document.body.prepend(header());
  document.body.append(el('div', { id: 'toasts', class: 'toasts', 'aria-live': 'polite' }));
  const main = document.querySelector('main');
  main.prepend(el('div', { id: 'banner' }));
  const content = document.getElementById('content');
  eventsCard();

  if (!signedInUser()) {
    content.hidden = true;
    document.querySelector('#connection .text').textContent = 'Signed out';
    main.append(signInForm(() => window.location.reload()));
    return null;
  }

  const conn = new Connection();
  const pill = document.getElementById('connection');
  let previous = null;
  conn.onState((state, detail) => {
    pill.dataset.state = state;
    pill.querySelector('.text').textContent = STATE_TEXT[state] || state;
    document.body.dataset.connection = state;
    if (state === 'refused') {
      banner(`${describeFailure(detail)} The server refused this tab's sign-in; sign out and in again.`);
    } else if (state === 'reconnecting') {
      banner('Connection lost — reconnecting. Missed events are caught up when it is back.', 'warning');
    } else if (state === 'live' && previous !== null && previous !== 'connecting' && previous !== 'authenticating') {
      // back after a drop: what was said about the lost connection is over
      document.getElementById('banner').replaceChildren();
    }
    if (state !== 'authenticating') previous = state;
  });
  conn.onError((error) => showFailure(error));
  // for trying reconnects out: the socket closes, the client reconnects, rooms catch up
  pill.after(el('button', {
    type: 'button', class: 'link', id: 'drop-connection', title: 'Close the socket as a network drop would; the client reconnects and catches up',
    onclick: () => conn.drop(),
  }, 'Drop connection'));
  installNotifications(conn);
  installLockPrompt(conn);
  init(conn);
  conn.connect();
  return conn;
}
