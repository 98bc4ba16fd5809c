import type { Session } from '../../api/types.ts';
import { Tooltip } from '../../components/Tooltip.tsx';
import { providerName } from './sign-in.ts';

/**
 * How the session signed in, beside its user: "SSO" naming the provider on hover, and "MFA" when a
 * second factor was checked. A password alone shows neither (the detail panel says it in words): in
 * a list of a hundred, the sessions that differ stand out.
 */
export function SignInBadges({ session }: { session: Session }) {
  return (
    <span className="sign-in">
      {session.loginMethod === 'sso' && (
        <Tooltip
          text={`Signed in through ${session.identityProvider ? providerName(session.identityProvider) : 'SSO'}`}
          className="badge badge-sso"
        >
          SSO
        </Tooltip>
      )}
      {session.mfa && (
        <Tooltip text="A second factor was checked at sign-in" className="badge badge-mfa">
          MFA
        </Tooltip>
      )}
    </span>
  );
}
