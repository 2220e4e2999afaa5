// Notifications: subscribe to topics, send one (no toast for yourself), see what arrived or was missed.
import { describeFailure } from './parley.js';
import { banner, el, showFailure, startPage } from './ui.js';
import { TOPICS, onNotification, publishNotification, recentNotifications, rememberTopics, subscribedTopics } from './notify.js';

let conn;
const $ = (id) => document.getElementById(id);

function renderTopics() {
  const subscribed = new Set(subscribedTopics());
  $('topics').replaceChildren(el('legend', { class: 'sr-only' }, 'Topics'), ...TOPICS.map((topic) => el('label', { style: 'font-weight:normal' },
    el('input', {
      type: 'checkbox', value: topic, checked: subscribed.has(topic), 'aria-label': `Subscribe to ${topic}`,
      onchange: (event) => toggle(topic, event.target.checked, event.target),
    }), ` ${topic}`)));
  $('subscribed').textContent = subscribed.size ? `Subscribed to ${[...subscribed].join(', ')}.` : 'Not subscribed to any topic.';
  $('send-topic').replaceChildren(...TOPICS.map((topic) => el('option', { value: topic }, topic)));
}

async function toggle(topic, on, box) {
  box.disabled = true;
  try {
    const reply = await conn.request(on ? 'notifications.subscribe' : 'notifications.unsubscribe', { topics: [topic] });
    rememberTopics(reply.topics || []);
  } catch (e) {
    showFailure(e);
  }
  box.disabled = false;
  renderTopics();
}

function received(notification, { missed }) {
  $('received-empty').hidden = true;
  const data = notification.data || {};
  $('received').prepend(el('li', { class: 'card', dataset: { notificationId: String(notification.id) }, style: 'margin-bottom:.5rem;padding:.6rem' },
    el('strong', {}, notification.topic), missed ? el('span', { class: 'muted' }, ' · missed while away') : null,
    el('div', {}, typeof data === 'string' ? data : data.text || JSON.stringify(data)),
    el('small', { class: 'muted' }, `${data.by ? `from ${data.by} · ` : ''}${new Date(notification.ts || Date.now()).toLocaleTimeString()}`)));
}

conn = startPage('Notifications', (c) => {
  onNotification(received);
  c.onReady(async () => {
    renderTopics();
    $('content').dataset.ready = 'true';
    $('notifications-loading').hidden = true;
  });
});

if (conn) {
  renderTopics();
  // what this tab showed before a reload
  recentNotifications().forEach(({ notification, missed }) => received(notification, { missed }));
  $('send-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = $('send-text').value.trim();
    if (!text) return;
    const topic = $('send-topic').value;
    try {
      const { id } = await publishNotification(conn, topic, text);
      $('send-result').textContent = `Sent “${text}” to ${topic} (id ${id}).`;
      $('send-text').value = '';
    } catch (e) {
      $('send-result').textContent = '';
      if (e.code === 503) {
        banner(`${describeFailure(e)} — is the notifications verticle deployed on this node?`);
      } else {
        showFailure(e);
      }
    }
  });
}
