// Notifications on every page (docs/features.md): a toast for each `notification` that arrives on
// this tab's client-<sessionId> room, and after a (re)connect the ones missed meanwhile from
// notifications.since. Subscriptions are kept by the server per sessionId, so a reload needs no
// resubscribe; the last id seen is kept in sessionStorage for notifications.since.

import { postJson } from './parley.js';
import { el, toast } from './ui.js';

const STORE = window.sessionStorage;
const KEY_LAST_ID = 'parley.notifications.lastId';
const KEY_TOPICS = 'parley.notifications.topics';
const KEY_SEEN = 'parley.notifications.seen';
const KEY_RECENT = 'parley.notifications.recent';
const SEEN_KEPT = 200;
const RECENT_KEPT = 20;
const SINCE_PAGES = 10;

export const TOPICS = ['announcements', 'releases', 'board-demo'];

const listeners = [];

/** fn(notification, {missed}) for every notification this tab shows. */
export function onNotification(fn) {
  listeners.push(fn);
}

export function subscribedTopics() {
  try {
    return JSON.parse(STORE.getItem(KEY_TOPICS)) || [];
  } catch (e) {
    return [];
  }
}

export function rememberTopics(topics) {
  STORE.setItem(KEY_TOPICS, JSON.stringify(topics));
}

/** The last notifications this tab showed, oldest first: [{notification, missed}]. */
export function recentNotifications() {
  try {
    return JSON.parse(STORE.getItem(KEY_RECENT)) || [];
  } catch (e) {
    return [];
  }
}

function seen() {
  try {
    return JSON.parse(STORE.getItem(KEY_SEEN)) || [];
  } catch (e) {
    return [];
  }
}

function show(conn, notification, missed) {
  const ids = seen();
  const key = JSON.stringify(notification.id);
  if (ids.includes(key)) return; // live and since can both bring the same one
  ids.push(key);
  STORE.setItem(KEY_SEEN, JSON.stringify(ids.slice(-SEEN_KEPT)));
  STORE.setItem(KEY_LAST_ID, JSON.stringify(notification.id));
  STORE.setItem(KEY_RECENT, JSON.stringify(recentNotifications().concat([{ notification, missed }]).slice(-RECENT_KEPT)));
  const data = notification.data || {};
  const text = typeof data === 'string' ? data : data.text || JSON.stringify(data);
  toast([
    el('strong', {}, missed ? `Missed on ${notification.topic}` : `New on ${notification.topic}`),
    el('span', { class: 'text' }, text),
    data.by ? el('small', {}, `from ${data.by}`) : null,
  ], { kind: 'notification', dataset: { notificationId: String(notification.id), topic: notification.topic } });
  for (const fn of listeners) fn(notification, { missed });
}

/** The ones published while this tab was away, oldest first. */
async function catchUp(conn) {
  const raw = STORE.getItem(KEY_LAST_ID);
  if (raw == null) return; // nothing seen yet: nothing to measure "missed" from
  let sinceId = JSON.parse(raw);
  for (let page = 0; page < SINCE_PAGES; page++) {
    const reply = await conn.request('notifications.since', { sinceId });
    const list = reply.notifications || [];
    list.forEach((n) => show(conn, n, true));
    if (!reply.more || list.length === 0) break;
    sinceId = list[list.length - 1].id;
  }
}

export function installNotifications(conn) {
  conn.onClientEvent('notification', (data) => show(conn, data, false));
  conn.onReady(({ resumed }) => {
    if (!resumed) {
      // a session the server does not know (new tab, or the store forgot it): nothing is subscribed
      if (subscribedTopics().length) rememberTopics([]);
      return;
    }
    // not awaited: the page gets ready meanwhile
    catchUp(conn).catch((e) => console.warn('notifications.since failed:', e.message));
  });
}

/** Publishes through the demo's server route, as this tab: every subscriber but this tab gets it. */
export function publishNotification(conn, topic, text) {
  return postJson('/demo/notifications', {
    topic,
    data: { text, by: conn.user.name },
    originSessionId: conn.sessionId,
  });
}
