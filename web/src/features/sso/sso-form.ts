import type { SsoConfig, SsoConfigInput } from '../../api/types.ts';

/** The form as typed: the domains as the textarea's text, the secret empty unless a new one is typed. */
export interface SsoDraft {
  issuer: string;
  clientId: string;
  clientSecret: string;
  emailDomains: string;
  autoCreateUsers: boolean;
  enforced: boolean;
  allowAdminPasswordLogin: boolean;
}

export const SSO_FIELDS = ['issuer', 'clientId', 'clientSecret', 'emailDomains'] as const;
export type SsoField = (typeof SSO_FIELDS)[number];
export type SsoFieldErrors = Partial<Record<SsoField, string>>;

export const EMPTY_DRAFT: SsoDraft = {
  issuer: '',
  clientId: '',
  clientSecret: '',
  emailDomains: '',
  autoCreateUsers: false,
  enforced: false,
  allowAdminPasswordLogin: false,
};

export function toDraft(config: SsoConfig): SsoDraft {
  return {
    issuer: config.issuer,
    clientId: config.clientId,
    clientSecret: '',
    emailDomains: config.emailDomains.join('\n'),
    autoCreateUsers: config.autoCreateUsers,
    enforced: config.enforced,
    allowAdminPasswordLogin: config.allowAdminPasswordLogin,
  };
}

/**
 * The domains of the textarea: one a line (commas and spaces separate too), lower-cased, without a
 * pasted `@` or `https://` before them, each once. What is left is the server's to judge.
 */
export function parseDomains(text: string): string[] {
  const domains = text
    .split(/[\s,;]+/)
    .map((piece) =>
      piece
        .trim()
        .toLowerCase()
        .replace(/^https?:\/\//, '')
        .replace(/^.*@/, '')
        .replace(/\/+$/, ''),
    )
    .filter((piece) => piece !== '');
  return [...new Set(domains)];
}

export type DraftResult = { ok: true; input: SsoConfigInput } | { ok: false; errors: SsoFieldErrors };

/**
 * The PUT body of the draft, or what is missing. `configured`: a secret is stored, so an empty
 * secret field keeps it (the body leaves `clientSecret` out).
 */
export function draftToInput(draft: SsoDraft, configured: boolean): DraftResult {
  const errors: SsoFieldErrors = {};
  const issuer = draft.issuer.trim();
  const clientId = draft.clientId.trim();
  const emailDomains = parseDomains(draft.emailDomains);
  if (!issuer) errors.issuer = 'Enter the provider’s issuer URL.';
  if (!clientId) errors.clientId = 'Enter the client ID the provider gave Vault.';
  if (!configured && !draft.clientSecret)
    errors.clientSecret = 'Enter the client secret the provider gave Vault.';
  if (emailDomains.length === 0) errors.emailDomains = 'Enter at least one email domain, e.g. example.com.';
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const input: SsoConfigInput = {
    issuer,
    clientId,
    emailDomains,
    autoCreateUsers: draft.autoCreateUsers,
    enforced: draft.enforced,
    // Break-glass only means something while SSO is enforced: off, it is stored as off.
    allowAdminPasswordLogin: draft.enforced && draft.allowAdminPasswordLogin,
  };
  if (draft.clientSecret) input.clientSecret = draft.clientSecret;
  return { ok: true, input };
}

/**
 * The field a 400 names, with its message in the form's words: the schema's
 * "body.emailDomains.1 must match pattern …" becomes "“acme” is not a domain …" by that field;
 * the service's "issuer must be https …" stays as it is. Null: a message for the whole form.
 */
export function fieldError(
  message: string,
  sent: SsoConfigInput,
): { field: SsoField; message: string } | null {
  const match = /^(?:body\.)?([A-Za-z]+)(?:\.(\d+))?\s+(.*)$/s.exec(message);
  const field = SSO_FIELDS.find((name) => name === match?.[1]);
  if (!match || !field) return null;
  if (field === 'emailDomains' && match[2] !== undefined) {
    const domain = sent.emailDomains[Number(match[2])];
    if (domain !== undefined)
      return {
        field,
        message: `“${domain}” is not a domain: write it like example.com (no @, no https://).`,
      };
  }
  return { field, message: message.replace(/^body\./, '') };
}
