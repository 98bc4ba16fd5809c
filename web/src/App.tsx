import { type ReactNode, useCallback, useEffect, useState } from 'react';
import { ApiError, api, forgetSignedIn, maybeSignedIn, setUnauthorizedListener } from './api/client.ts';
import type { EndReason, Me } from './api/types.ts';
import { Footer } from './components/Footer.tsx';
import { Header } from './components/Header.tsx';
import { Link, navigate, useLocation } from './components/router.tsx';
import { UsersPage } from './features/accounts/UsersPage.tsx';
import { ActivityPage } from './features/activity/ActivityPage.tsx';
import { ApiKeysPage } from './features/api-keys/ApiKeysPage.tsx';
import { LoginPage } from './features/auth/LoginPage.tsx';
import { useLiveStream } from './features/sessions/live.ts';
import { SessionsPage } from './features/sessions/SessionsPage.tsx';
import { SettingsPage } from './features/settings/SettingsPage.tsx';
import { SsoPage } from './features/sso/SsoPage.tsx';
import { StreamsPage } from './features/streams/StreamsPage.tsx';

const HOME = '/sessions';
/** A session's details over the list: /sessions/<id>. */
const SESSION_PATH = /^\/sessions\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

function loginUrl(reason: EndReason | 'signed_out' | null, next?: string): string {
  const params = new URLSearchParams();
  if (reason) params.set('reason', reason);
  if (next && next !== HOME && !next.startsWith('/login')) params.set('next', next);
  const query = params.toString();
  return query ? `/login?${query}` : '/login';
}

/** `?next=` is a path of this app, or home: never another origin (`//evil.test`, `/\\evil.test`, `javascript:`). */
function safeNext(next: string | null): string {
  return next?.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : HOME;
}

/** The app shell: who is logged in, the live stream, and which page to show. */
export function App() {
  const location = useLocation();
  const [me, setMe] = useState<Me | null>(null);
  // Only a browser that logged in before has a session worth asking /api/me about.
  const [checking, setChecking] = useState(maybeSignedIn);

  // The session is over (ended elsewhere, expired, logged out): drop it and show the login page, saying why.
  const endSession = useCallback((reason: EndReason | 'signed_out' | null) => {
    forgetSignedIn();
    setMe(null);
    const here = window.location.pathname + window.location.search;
    navigate(loginUrl(reason, here), { replace: true });
  }, []);

  useEffect(() => {
    setUnauthorizedListener((error) => endSession(error.endReason ?? 'expired'));
    if (!maybeSignedIn()) return () => setUnauthorizedListener(null);
    const abort = new AbortController();
    api
      .me(abort.signal)
      .then((result) => setMe(result))
      .catch((error: unknown) => {
        if (abort.signal.aborted) return;
        const here = window.location.pathname + window.location.search;
        if (!here.startsWith('/login')) {
          const reason = error instanceof ApiError ? error.endReason : null;
          navigate(loginUrl(reason, here), { replace: true });
        }
      })
      .finally(() => {
        if (!abort.signal.aborted) setChecking(false);
      });
    return () => {
      abort.abort();
      setUnauthorizedListener(null);
    };
  }, [endSession]);

  const live = useLiveStream(me !== null, endSession);

  const onLoggedIn = useCallback((result: Me, next: string | null) => {
    // Sent here by a protected app (`rd=`): load this URL again, now logged in, and the server
    // sends the browser back there if the app's host is allowed (src/http/login-redirect.ts).
    if (/[?&]rd=/.test(window.location.search)) {
      // Without its #fragment (which the server never sees anyway): replacing a URL by itself
      // plus a fragment is a jump within the page, not a load, and the login would hang.
      window.location.replace(window.location.href.split('#', 1)[0] as string);
      return;
    }
    setMe(result);
    navigate(safeNext(next), { replace: true });
  }, []);

  const onLogout = useCallback(async () => {
    await api.logout().catch(() => undefined);
    endSession('signed_out');
  }, [endSession]);

  // Logged-in people have no business on the login page, and "/" is the session list.
  useEffect(() => {
    if (me && (location.pathname === '/login' || location.pathname === '/')) {
      navigate(safeNext(location.search.get('next')), { replace: true });
    } else if (!me && !checking && location.pathname !== '/login') {
      navigate(loginUrl(null, location.pathname + (location.search.size ? `?${location.search}` : '')), {
        replace: true,
      });
    }
  }, [me, checking, location]);

  if (checking) {
    return (
      <div className="boot" aria-busy="true">
        <span className="visually-hidden">Loading…</span>
      </div>
    );
  }

  // The server answers these paths with the app (APP_ROUTES in src/http/plugins/static-web.ts).
  let page: ReactNode;
  if (!me) {
    page = (
      <LoginPage
        reason={location.search.get('reason')}
        next={location.search.get('next')}
        onLoggedIn={onLoggedIn}
      />
    );
  } else if (location.pathname === '/activity') {
    page = <ActivityPage me={me} />;
  } else if (location.pathname === '/users') {
    page = <UsersPage me={me} />;
  } else if (location.pathname === '/api-keys') {
    page = <ApiKeysPage me={me} />;
  } else if (location.pathname === '/streams') {
    page = <StreamsPage me={me} />;
  } else if (location.pathname === '/sso') {
    page = <SsoPage me={me} />;
  } else if (location.pathname === '/settings') {
    page = <SettingsPage me={me} />;
  } else if (location.pathname === '/sessions' || SESSION_PATH.test(location.pathname)) {
    // One element for the list with or without a session's panel: opening one keeps the list as it is.
    page = (
      <SessionsPage
        me={me}
        live={live}
        detailId={SESSION_PATH.exec(location.pathname)?.[1]?.toLowerCase() ?? null}
        onSelfEnded={() => endSession('signed_out')}
      />
    );
  } else {
    page = (
      <div className="page">
        <h1>Page not found</h1>
        <p>
          There is nothing at <code>{location.pathname}</code>. Go to{' '}
          <Link href={HOME}>Session Information</Link>.
        </p>
      </div>
    );
  }

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Header me={me} onLogout={onLogout} />
      <main id="main" tabIndex={-1}>
        {page}
      </main>
      <Footer />
    </>
  );
}
