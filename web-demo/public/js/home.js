// The start page: sign-in, links to every demo page, and a live connection (so notifications
// toast here too).
import { startPage } from './ui.js';

startPage('Parley web demo', (conn) => {
  document.getElementById('session-id').textContent = conn.sessionId;
});
