import { useEffect, useRef, useState } from 'react';
import type { Me } from '../api/types.ts';
import { TwoFactorDialog } from '../features/mfa/TwoFactorDialog.tsx';
import { ChangePasswordDialog } from './ChangePasswordDialog.tsx';
import { ProfileMenu } from './ProfileMenu.tsx';
import { Link, useLocation } from './router.tsx';

interface HeaderProps {
  me: Me | null;
  onLogout: () => void;
}

/** The top bar: product name, the pages (Users, API keys, Streams, SSO and Settings for admins only), and the Profile menu once logged in. */
export function Header({ me, onLogout }: HeaderProps) {
  const { pathname } = useLocation();
  const [changingPassword, setChangingPassword] = useState(false);
  const [twoFactor, setTwoFactor] = useState(false);
  const nav = useRef<HTMLElement>(null);
  // On a phone the links scroll sideways: the page one is on stays in sight (Streams is far right).
  // biome-ignore lint/correctness/useExhaustiveDependencies: read from the DOM after each page change and login
  useEffect(() => {
    const strip = nav.current;
    const current = strip?.querySelector<HTMLElement>('[aria-current="page"]');
    if (!strip || !current || strip.scrollWidth <= strip.clientWidth) return;
    const left = current.offsetLeft - strip.offsetLeft;
    if (left < strip.scrollLeft || left + current.offsetWidth > strip.scrollLeft + strip.clientWidth) {
      strip.scrollLeft = left - (strip.clientWidth - current.offsetWidth) / 2;
    }
  }, [pathname, me]);
  return (
    <header className="site-header">
      <div className="site-header-inner">
        <Link href={me ? '/sessions' : '/login'} className="brand">
          <svg className="brand-mark" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
            <rect width="32" height="32" rx="7" />
            <path d="M9 14v-3a7 7 0 0 1 14 0v3" />
            <rect x="7" y="14" width="18" height="12" rx="2.5" />
          </svg>
          <span>Vault</span>
        </Link>
        {me && (
          <nav ref={nav} className="main-nav" aria-label="Main">
            <Link href="/sessions" aria-current={pathname === '/sessions' ? 'page' : undefined}>
              Session Information
            </Link>
            <Link href="/activity" aria-current={pathname === '/activity' ? 'page' : undefined}>
              Activity Log
            </Link>
            {me.user.role === 'admin' && (
              <>
                <Link href="/users" aria-current={pathname === '/users' ? 'page' : undefined}>
                  Users
                </Link>
                <Link href="/api-keys" aria-current={pathname === '/api-keys' ? 'page' : undefined}>
                  API keys
                </Link>
                <Link href="/streams" aria-current={pathname === '/streams' ? 'page' : undefined}>
                  Streams
                </Link>
                <Link href="/sso" aria-current={pathname === '/sso' ? 'page' : undefined}>
                  SSO
                </Link>
                <Link href="/settings" aria-current={pathname === '/settings' ? 'page' : undefined}>
                  Settings
                </Link>
              </>
            )}
          </nav>
        )}
        {me && (
          <ProfileMenu
            me={me}
            onChangePassword={() => setChangingPassword(true)}
            onTwoFactor={() => setTwoFactor(true)}
            onLogout={onLogout}
          />
        )}
      </div>
      {me && (
        <ChangePasswordDialog
          open={changingPassword}
          username={me.user.username}
          onClose={() => setChangingPassword(false)}
        />
      )}
      {me && (
        <TwoFactorDialog open={twoFactor} username={me.user.username} onClose={() => setTwoFactor(false)} />
      )}
    </header>
  );
}
