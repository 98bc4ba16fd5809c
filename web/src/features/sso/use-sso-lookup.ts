import { useCallback, useEffect, useState } from 'react';
import { emailDomain, hasSso } from './sso-login.ts';

/** What the login page knows about the typed identifier: not an SSO email, being asked about, or SSO. */
export type SsoLookupState = 'none' | 'checking' | 'sso';

/** Answers per domain for the page's lifetime: one question per domain is enough. */
const known = new Map<string, Promise<boolean>>();

function lookup(email: string, domain: string): Promise<boolean> {
  let answer = known.get(domain);
  if (!answer) {
    answer = hasSso(email);
    known.set(domain, answer);
  }
  return answer;
}

/** Typing pauses this long before the server is asked, so each keystroke is not a request. */
const PAUSE_MS = 350;

/**
 * Whether the identifier being typed is an email of an SSO domain, asked after a pause in typing;
 * `check()` asks at once (on submit) and answers.
 */
export function useSsoLookup(identifier: string) {
  const domain = emailDomain(identifier);
  const [answers, setAnswers] = useState<Record<string, boolean>>({});

  useEffect(() => {
    if (!domain || domain in answers) return;
    let live = true;
    const timer = setTimeout(() => {
      lookup(identifier, domain).then((sso) => {
        if (live) setAnswers((old) => ({ ...old, [domain]: sso }));
      });
    }, PAUSE_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [identifier, domain, answers]);

  const check = useCallback(async (): Promise<boolean> => {
    if (!domain) return false;
    const sso = await lookup(identifier, domain);
    setAnswers((old) => ({ ...old, [domain]: sso }));
    return sso;
  }, [identifier, domain]);

  /** A password login answered SSO_REQUIRED: this domain signs in with SSO whatever the lookup said. */
  const markSso = useCallback(() => {
    if (!domain) return;
    known.set(domain, Promise.resolve(true));
    setAnswers((old) => ({ ...old, [domain]: true }));
  }, [domain]);

  let state: SsoLookupState = 'none';
  if (domain) state = domain in answers ? (answers[domain] ? 'sso' : 'none') : 'checking';
  return { state, domain, check, markSso };
}
