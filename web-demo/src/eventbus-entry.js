// The browser bundle of the published Vert.x bridge client: @vertx/eventbus-bridge-client.js
// over sockjs-client, both exactly as npm ships them (versions pinned in package.json).
// `npm run build` writes public/vendor/eventbus.bundle.js from this file.
import EventBus from '@vertx/eventbus-bridge-client.js';
import SockJS from 'sockjs-client';

export { EventBus, SockJS };
