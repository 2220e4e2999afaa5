// Parley's browser connection, on the published Vert.x bridge client (bundled in
// ../vendor/eventbus.bundle.js): sign-in with dev tokens, auth.authenticate with the tab's
// sessionId, rooms with catch-up after a reconnect, the tab's client-<sessionId> room.
//
// Nothing here is specific to one page; each page's module calls connect() and reacts to
// onReady (every (re)authentication), room envelopes and client-room events.

import { EventBus } from '../vendor/eventbus.bundle.js';

const STORE = window.sessionStorage; // per tab: two tabs are two sessions, a reload keeps them
const KEY_SESSION = 'parley.sessionId';
const KEY_USER = 'parley.user';
const KEY_TOKEN = 'parley.token';
const REQUEST_TIMEOUT_MS = 15000;
const TOKEN_TTL_SECONDS = 3600;

/** A refusal or failure with its numeric failure code (docs/protocol.md); code 0: no answer at all. */
export class ParleyError extends Error {
  constructor(code, message) {
    super(message || `failed (${code})`);
    this.code = code;
  }
}

/** What a person should read for a failure: the code's meaning, then the server's own words. */
export function describeFailure(error) {
  const code = error && (error.code ?? error.failureCode);
  const detail = error && error.message ? error.message : String(error);
  switch (code) {
    case 401: return `Not signed in (401): ${detail}. Sign in again.`;
    case 403: return `Not allowed (403): ${detail}`;
    case 404: return `Not found (404): ${detail}`;
    case 409: return `Conflict (409): ${detail}`;
    case 413: return `Too large (413): ${detail}`;
    case 429: return `Too many requests (429): ${detail}. Wait a moment and try again.`;
    case 503: return `Service unavailable (503): ${detail}`;
    case 0: return `No answer from the server: ${detail}`;
    default: return code ? `Failed (${code}): ${detail}` : detail;
  }
}

function readJson(key) {
  try {
    return JSON.parse(STORE.getItem(key));
  } catch (e) {
    return null;
  }
}

/** The tab's sessionId: a uuidv4 made once and kept in sessionStorage. */
export function sessionId() {
  let id = STORE.getItem(KEY_SESSION);
  if (!id) {
    id = crypto.randomUUID();
    STORE.setItem(KEY_SESSION, id);
  }
  return id;
}

/** {userId, name} of the signed-in user of this tab, or null. */
export function signedInUser() {
  return readJson(KEY_USER);
}

/** A user id the server accepts, from a display name: "Ann Lee" → "ann-lee". */
export function userIdFor(name) {
  const slug = name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
    .replace(/[^a-z0-9_.:-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60).replace(/-+$/g, '');
  return slug || `user-${crypto.randomUUID().slice(0, 8)}`;
}

export function signIn(name) {
  const clean = name.trim().slice(0, 100);
  STORE.setItem(KEY_USER, JSON.stringify({ userId: userIdFor(clean), name: clean }));
  STORE.removeItem(KEY_TOKEN);
}

/** Forgets the user and this tab's session: the next sign-in is a new session. */
export function signOut() {
  for (const key of Object.keys(STORE)) {
    if (key.startsWith('parley.')) {
      STORE.removeItem(key);
    }
  }
}

/** POST helper for the node's HTTP routes: resolves with the JSON answer, rejects with a ParleyError. */
export async function postJson(path, body) {
  let response;
  try {
    response = await fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  } catch (e) {
    throw new ParleyError(0, `${path}: ${e.message}`);
  }
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch (e) {
    // not JSON: reported below with the status
  }
  if (!response.ok) {
    throw new ParleyError(response.status, (json && json.error) || text || response.statusText);
  }
  return json;
}

function tokenExpiry(token) {
  try {
    const payload = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
    return payload.exp * 1000;
  } catch (e) {
    return 0;
  }
}

/** A dev token for the signed-in user (boards: ["demo"], so the claims policy lets them join board-demo). */
async function token(force) {
  const cached = STORE.getItem(KEY_TOKEN);
  if (!force && cached && tokenExpiry(cached) - Date.now() > 60000) {
    return cached;
  }
  const user = signedInUser();
  const { token: fresh } = await postJson('/auth/dev-token', {
    userId: user.userId, name: user.name, boards: ['demo'], ttlSeconds: TOKEN_TTL_SECONDS,
  });
  STORE.setItem(KEY_TOKEN, fresh);
  return fresh;
}

/**
 * One connection per page. States: connecting → authenticating → live; reconnecting after a
 * drop (the client's own backoff); refused when the server said no for good (shown, no retry).
 */
export class Connection {
  constructor() {
    this.sessionId = sessionId();
    this.user = signedInUser();
    this.state = 'idle';
    this.principal = null;
    this.rooms = new Map();
    this.clientListeners = new Map();
    this.readyListeners = [];
    this.stateListeners = [];
    this.errorListeners = [];
    this.waiting = [];
    this.opens = 0;
    this.config = null;
  }

  onState(fn) { this.stateListeners.push(fn); fn(this.state, null); }
  /** fn({resumed, reconnect}) after every successful auth.authenticate, rooms joined again. */
  onReady(fn) { this.readyListeners.push(fn); }
  /** fn(describable error) for refusals that no request is waiting for (register refusals, closes). */
  onError(fn) { this.errorListeners.push(fn); }
  /** fn(data, envelope) for an event on this tab's client-<sessionId> room. */
  onClientEvent(event, fn) {
    if (!this.clientListeners.has(event)) this.clientListeners.set(event, []);
    this.clientListeners.get(event).push(fn);
  }

  setState(state, detail) {
    this.state = state;
    for (const fn of this.stateListeners) fn(state, detail);
    if (state === 'live') {
      const waiting = this.waiting.splice(0);
      waiting.forEach((w) => w.resolve());
    }
  }

  reportError(error) {
    for (const fn of this.errorListeners) fn(error);
  }

  async connect() {
    this.setState('connecting');
    try {
      this.config = await fetch('/client-config').then((r) => r.json());
    } catch (e) {
      this.config = { url: '/eventbus' };
    }
    const url = new URL(this.config.url || '/eventbus', window.location.href).href;
    const eb = new EventBus(url, { vertxbus_ping_interval: this.config.pingIntervalMs || 5000, vertxbus_reconnect_delay_max: 4000 });
    this.eb = eb;
    eb.enableReconnect(true);
    eb.onopen = () => this.opened();
    eb.onclose = () => {
      if (this.state !== 'refused' && this.state !== 'closed') {
        this.setState('reconnecting');
      }
    };
    // address-less refusals (the server closing this socket says why first) and stray errors
    eb.onerror = (err) => this.reportError(err);
  }

  /** Closes the socket as a network drop would: the client reconnects and catches up. */
  drop() {
    if (this.eb && this.eb.sockJSConn && this.state === 'live') this.eb.sockJSConn.close();
  }

  close() {
    this.setState('closed');
    if (this.eb) this.eb.close();
  }

  async opened() {
    const reconnect = this.opens++ > 0;
    this.setState('authenticating');
    let principal;
    try {
      principal = await this.authenticate();
    } catch (e) {
      if ([400, 401, 403, 404].includes(e.code)) {
        // the server refuses this user or tab (or has no dev tokens): retrying would be refused again
        this.setState('refused', e);
        this.eb.close();
      } else {
        // no answer, or the auth service is unavailable: say so and try again on a new socket
        this.reportError(e);
        if (this.eb.sockJSConn) this.eb.sockJSConn.close();
      }
      return;
    }
    this.principal = principal;
    try {
      await this.joinClientRoom();
      await Promise.all([...this.rooms.values()].map((room) => this.rejoin(room)));
    } catch (e) {
      this.reportError(e);
    }
    this.setState('live');
    this.lastActive = true; // a new connection starts active on the server
    this.reportActivity();
    for (const fn of this.readyListeners) {
      try {
        await fn({ resumed: principal.resumed, reconnect });
      } catch (e) {
        this.reportError(e);
      }
    }
  }

  async authenticate() {
    const body = { token: await token(false), sessionId: this.sessionId };
    try {
      return await this.send('auth.authenticate', body);
    } catch (e) {
      if (e.code !== 401) throw e;
      // an expired or revoked token: one fresh dev token, then give up
      return this.send('auth.authenticate', { token: await token(true), sessionId: this.sessionId });
    }
  }

  /** rooms.activity: whether the user is looking at this tab, shown on their presence entries. */
  reportActivity() {
    if (!this.activityWatched) {
      this.activityWatched = true;
      document.addEventListener('visibilitychange', () => this.reportActivity());
    }
    const active = !document.hidden;
    if (this.state !== 'live' || active === this.lastActive) return;
    this.lastActive = active;
    this.send('rooms.activity', { active }).catch(() => {});
  }

  /** Waits until live (bounded), then request(). Use from pages. */
  async request(address, body) {
    if (this.state !== 'live') {
      await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new ParleyError(0, 'not connected; still trying')), REQUEST_TIMEOUT_MS);
        this.waiting.push({ resolve: () => { clearTimeout(timer); resolve(); } });
      });
    }
    return this.send(address, body);
  }

  /** eb.send with a reply, as a promise of the reply body; a failed reply rejects with its code. */
  send(address, body) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new ParleyError(0, `${address}: no answer in ${REQUEST_TIMEOUT_MS / 1000} s`)), REQUEST_TIMEOUT_MS);
      try {
        this.eb.send(address, body, (err, msg) => {
          clearTimeout(timer);
          if (err) {
            reject(new ParleyError(err.failureCode || 0, err.message));
          } else {
            resolve(msg.body);
          }
        });
      } catch (e) {
        clearTimeout(timer);
        reject(new ParleyError(0, 'not connected'));
      }
    });
  }

  // ---- rooms

  /**
   * Joins room.<name> (call it when live, once: reconnects rejoin by themselves).
   * options.onEvent(envelope) gets each envelope once, in offset order, also those missed while
   * reconnecting; options.onReset(page) is called when a gap could not be recovered (refetch
   * the state). options.fromStart replays the room's kept history first. Resolves with
   * rooms.state, or with the history page when fromStart; rejects with the refusal (403...).
   */
  async join(name, options = {}) {
    const room = { name, options, epoch: null, offset: null, catchingUp: false, buffer: [] };
    this.rooms.set(name, room);
    try {
      return await this.register(room, options.fromStart ? { sinceOffset: 0 } : null);
    } catch (e) {
      this.rooms.delete(name);
      throw e;
    }
  }

  leave(name) {
    const room = this.rooms.get(name);
    this.rooms.delete(name);
    if (room && room.handler && this.eb.state === EventBus.OPEN) {
      this.eb.unregisterHandler(`room.${name}`, room.handler);
    }
  }

  /** After a reconnect: register again and catch up from the last envelope seen. */
  async rejoin(room) {
    if (room.offset != null) {
      return this.register(room, { ...(room.epoch != null ? { epoch: room.epoch } : {}), sinceOffset: room.offset });
    }
    const state = await this.register(room, null);
    if (room.options.onReset) room.options.onReset(null);
    return state;
  }

  async register(room, catchUp) {
    const address = `room.${room.name}`;
    let refusal = null;
    room.joining = true;
    room.handler = (err, msg) => {
      if (err) {
        refusal = new ParleyError(err.failureCode, err.message);
        if (!room.joining) this.reportError(refusal);
        return;
      }
      this.arrived(room, msg.body);
    };
    room.catchingUp = true;
    room.buffer = [];
    this.eb.registerHandler(address, room.handler);
    try {
      // the bridge answers a send only after the register before it is decided: joined from here on
      if (catchUp) {
        const page = await this.send('rooms.history', { room: room.name, ...catchUp });
        if (page.recovered) {
          room.epoch = page.epoch;
          page.events.forEach((envelope) => this.deliver(room, envelope));
          if (room.offset == null) room.offset = catchUp.sinceOffset;
        } else {
          const state = await this.send('rooms.state', { room: room.name });
          room.epoch = state.epoch;
          room.offset = state.offset;
          room.buffer = room.buffer.filter((e) => e.offset == null || e.offset > state.offset);
          if (room.options.onReset) room.options.onReset(page);
        }
        return page;
      }
      const state = await this.send('rooms.state', { room: room.name });
      room.epoch = state.epoch;
      room.offset = state.offset || 0;
      room.buffer = room.buffer.filter((e) => e.offset == null || e.offset > room.offset);
      return state;
    } catch (e) {
      throw refusal || e;
    } finally {
      room.joining = false;
      this.flush(room);
    }
  }

  flush(room) {
    room.catchingUp = false;
    const buffered = room.buffer.splice(0);
    buffered.forEach((envelope) => this.deliver(room, envelope));
  }

  arrived(room, envelope) {
    if (room.catchingUp && envelope.offset != null) {
      room.buffer.push(envelope);
    } else {
      this.deliver(room, envelope);
    }
  }

  /** Hands an envelope to the room's handler once: offsets already seen (same epoch) are skipped. */
  deliver(room, envelope) {
    if (envelope.offset != null) {
      if (room.epoch != null && envelope.epoch !== room.epoch) {
        room.offset = null; // a new stream: the old offsets mean nothing
      }
      room.epoch = envelope.epoch;
      if (room.offset != null && envelope.offset <= room.offset) {
        return;
      }
      room.offset = envelope.offset;
    }
    if (room.options.onEvent) {
      try {
        room.options.onEvent(envelope);
      } catch (e) {
        console.error('room handler failed', e);
      }
    }
  }

  /** This tab's own room, where lock events and notifications arrive; caught up after a reconnect. */
  joinClientRoom() {
    if (!this.clientRoom) {
      this.clientRoom = {
        name: `client-${this.sessionId}`,
        options: {
          onEvent: (envelope) => (this.clientListeners.get(envelope.event) || []).forEach((fn) => fn(envelope.data, envelope)),
        },
        epoch: null, offset: null, catchingUp: false, buffer: [],
      };
      return this.register(this.clientRoom, null);
    }
    return this.rejoin(this.clientRoom);
  }
}
