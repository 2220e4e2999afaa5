// The seed application's realtime interface (IRealtimeService) and its Pusher adapter, as a
// Pusher application writes them: nothing here knows it talks to Parley. Pointing it at Parley
// is configuration only: PUSHER_HOST / PUSHER_PORT instead of PUSHER_CLUSTER.
import Pusher from 'pusher';

/** @typedef {{type: string, data: unknown}} RealtimeEvent */

export class PusherRealtimeService {
  constructor({ appId, key, secret, host, port, useTLS = false, cluster }) {
    this.key = key;
    this.host = host;
    this.port = port;
    this.useTLS = useTLS;
    this.cluster = cluster;
    this.pusher = new Pusher(host
      ? { appId, key, secret, host, port: String(port), useTLS }
      : { appId, key, secret, cluster, useTLS: true });
  }

  /** @param {string} channel @param {RealtimeEvent} event */
  async broadcast(channel, event) {
    await this.trigger(channel, event.type, event.data);
  }

  async trigger(channel, eventName, data) {
    await this.pusher.trigger(channel, eventName, data);
  }

  /** What the browser's pusher-js needs. */
  getClientConfig() {
    return this.host
      ? { key: this.key, wsHost: this.host, wsPort: Number(this.port), forceTLS: this.useTLS }
      : { key: this.key, cluster: this.cluster };
  }
}

export function realtimeFromEnv(env = process.env) {
  return new PusherRealtimeService({
    appId: env.PUSHER_APP_ID,
    key: env.PUSHER_KEY,
    secret: env.PUSHER_SECRET,
    host: env.PUSHER_HOST,
    port: env.PUSHER_PORT,
    cluster: env.PUSHER_CLUSTER || 'us2',
  });
}
