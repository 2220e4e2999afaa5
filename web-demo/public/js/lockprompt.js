// "Let them edit?" on every demo page: the lock belongs to the tab, so whichever page the tab
// shows, the editor is asked when someone wants to take over (lock.kick-requested on the tab's
// client-<sessionId> room) and answers with locks.kick.answer.
import { el, showFailure, toast } from './ui.js';

let question = null;

export function closeQuestion() {
  if (!question) return;
  clearInterval(question.timer);
  question.node.remove();
  question = null;
}

function ask(conn, data) {
  if (data.deadline && data.deadline < Date.now()) return; // replayed after it was settled
  closeQuestion();
  const who = data.by ? data.by.name : 'Someone';
  const countdown = el('span', { class: 'muted' });
  const answer = async (kickMeOut) => {
    closeQuestion();
    try {
      await conn.request('locks.kick.answer', { receiptNumber: data.receiptNumber, kickMeOut });
      if (!kickMeOut) toast(`You kept ${data.resource}; ${who} was told.`, { timeoutMs: 5000 }); // a yes is told by lock.lost
    } catch (e) {
      showFailure(e);
    }
  };
  const node = el('div', { class: 'dialog-backdrop' },
    el('div', { class: 'dialog', role: 'alertdialog', 'aria-modal': 'true', 'aria-labelledby': 'kick-title', 'aria-describedby': 'kick-text' },
      el('h2', { id: 'kick-title' }, 'Let them edit?'),
      el('p', { id: 'kick-text' }, `${who} wants to edit ${data.resource}. Hand the lock over? `, countdown),
      el('div', { class: 'row' },
        el('button', { type: 'button', onclick: () => answer(true) }, 'Yes, let them edit'),
        el('button', { type: 'button', class: 'secondary', onclick: () => answer(false) }, 'No, keep editing'))));
  document.body.append(node);
  const tick = () => {
    const left = data.deadline ? Math.max(0, Math.round((data.deadline - Date.now()) / 1000)) : null;
    countdown.textContent = left == null ? '' : `(${left} s left, then it goes to them)`;
    if (left === 0) closeQuestion();
  };
  tick();
  question = { node, timer: setInterval(tick, 1000) };
  node.querySelector('button').focus();
}

export function installLockPrompt(conn) {
  conn.onClientEvent('lock.kick-requested', (data) => ask(conn, data));
  conn.onClientEvent('lock.granted', (data) => toast(`You are editing ${data.resource} now.`, { timeoutMs: 5000 }));
  conn.onClientEvent('lock.lost', (data) => {
    closeQuestion(); // settled meanwhile (the deadline passed, the lock expired): the question is moot
    const by = data.by ? `${data.by.name} is editing it now` : 'it expired';
    toast(`You are no longer editing ${data.resource}: ${by}.`, { timeoutMs: 5000 });
  });
}
