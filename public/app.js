// Minimal page until the full console lands: log in, see sessions, end them, leave when ended.
const $ = (id) => document.getElementById(id);
const api = async (method, path, body) => {
  const res = await fetch(path, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = res.status === 204 ? null : await res.json().catch(() => null);
  if (!res.ok) throw Object.assign(new Error(data?.error?.message ?? res.statusText), { status: res.status });
  return data;
};
const text = (value) => document.createTextNode(value ?? 'Unknown');

function showLogin(notice) {
  $('login-view').hidden = false;
  $('sessions-view').hidden = true;
  $('logout-me').hidden = true;
  $('who').textContent = '';
  $('login-notice').textContent = notice ?? '';
}

async function showSessions() {
  const { sessions } = await api('GET', '/api/sessions');
  const body = $('sessions-body');
  body.replaceChildren();
  for (const s of sessions) {
    const row = document.createElement('tr');
    const box = Object.assign(document.createElement('input'), { type: 'checkbox', value: s.id });
    box.setAttribute('aria-label', `Select session of ${s.username}`);
    box.addEventListener('change', updateButton);
    const cells = [
      box,
      text(s.publicIp),
      text(s.username + (s.current ? ' (this device)' : '')),
      text(s.city),
      text(s.location),
      text(s.deviceType),
      text(s.os),
      text(s.browser),
      text(new Date(s.lastAccessAt).toLocaleString()),
    ];
    for (const c of cells) row.appendChild(document.createElement('td')).appendChild(c);
    body.appendChild(row);
  }
  $('sessions-status').textContent = `${sessions.length} active session(s)`;
  updateButton();
}

function selectedIds() {
  return [...document.querySelectorAll('#sessions-body input:checked')].map((b) => b.value);
}
function updateButton() {
  $('end-selected').disabled = selectedIds().length === 0;
}

let stream;
async function enter() {
  const me = await api('GET', '/api/me');
  $('login-view').hidden = true;
  $('sessions-view').hidden = false;
  $('logout-me').hidden = false;
  $('who').textContent = `${me.user.username} (${me.user.role})`;
  stream?.close();
  stream = new EventSource('/api/sessions/stream');
  stream.addEventListener('session-ended', (e) => {
    stream.close();
    showLogin(`Your session was ended (${JSON.parse(e.data).reason}). Log in again.`);
  });
  stream.addEventListener('sessions-changed', () => showSessions().catch(() => {}));
  await showSessions();
}

$('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  try {
    await api('POST', '/api/auth/login', { username: form.get('username'), password: form.get('password') });
    await enter();
  } catch (error) {
    $('login-notice').textContent = error.message;
  }
});
$('select-all').addEventListener('change', (e) => {
  for (const b of document.querySelectorAll('#sessions-body input')) b.checked = e.target.checked;
  updateButton();
});
$('end-selected').addEventListener('click', async () => {
  const ids = selectedIds();
  if (!confirm(`End ${ids.length} session(s)?`)) return;
  try {
    const { terminated } = await api('POST', '/api/sessions/logout', { sessionIds: ids });
    $('sessions-status').textContent = `${terminated} session(s) ended`;
    await showSessions();
  } catch (error) {
    if (error.status === 401) showLogin(error.message);
    else $('sessions-status').textContent = error.message;
  }
});
$('logout-me').addEventListener('click', async () => {
  stream?.close();
  await api('POST', '/api/auth/logout').catch(() => {});
  showLogin('You logged out.');
});

enter().catch(() => showLogin());
