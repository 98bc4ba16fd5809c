/**
 * `/api/auth/session.js`: what a protected app's page includes with one `<script src>` tag, so its
 * tab follows its session as the console's own tabs do. It listens to the session's event stream
 * (CORS with credentials, for ALLOWED_REDIRECT_HOSTS only) and, on `session-ended`, sends the tab to
 * the login page with `rd` back. A stream that closes is asked about once: a 401 from
 * /api/auth/verify means the session is over; anything else (the vault restarting, a stream cap
 * reached, a network blip) means try again later, backing off from 5 s to a minute. Both ask with
 * `?passive` (http/passive.ts): a tab left open must not keep an idle session alive. Plain ES2017
 * for every browser; no dependencies.
 */
export const SESSION_SCRIPT = `(function () {
  'use strict';
  var script = document.currentScript;
  if (!script || !window.EventSource || !window.fetch) return;
  var vault = new URL(script.src).origin;
  var FIRST_RETRY_MS = 5000;
  var LAST_RETRY_MS = 60000;
  var retryMs = FIRST_RETRY_MS;
  var leaving = false;
  function later() {
    setTimeout(open, retryMs);
    retryMs = Math.min(retryMs * 2, LAST_RETRY_MS);
  }
  function toLogin(reason) {
    if (leaving) return;
    leaving = true;
    var query = reason ? 'reason=' + encodeURIComponent(reason) + '&' : '';
    // rd last and verbatim, as the login page reads it.
    window.location.assign(vault + '/login?' + query + 'rd=' + window.location.href);
  }
  function check() {
    fetch(vault + '/api/auth/verify?passive', { credentials: 'include', cache: 'no-store' }).then(
      function (answer) {
        if (answer.status === 401) toLogin('expired');
        else later();
      },
      later
    );
  }
  function open() {
    var source = new EventSource(vault + '/api/sessions/stream?passive', { withCredentials: true });
    source.addEventListener('ready', function () { retryMs = FIRST_RETRY_MS; });
    source.addEventListener('session-ended', function (event) {
      source.close();
      var reason = null;
      try { reason = JSON.parse(event.data).reason; } catch (e) { /* an old server: no reason */ }
      toLogin(reason);
    });
    source.onerror = function () {
      // CONNECTING: the browser retries by itself. CLOSED: refused (401, 429, 503): ask why.
      if (source.readyState === EventSource.CLOSED) check();
    };
  }
  open();
})();
`;
