import { Value } from '@sinclair/typebox/value';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SsoConfigBody } from '../../src/contracts/sso.js';
import {
  draftToInput,
  EMPTY_DRAFT,
  fieldError,
  parseDomains,
  type SsoDraft,
} from '../../web/src/features/sso/sso-form.js';

const filled: SsoDraft = {
  ...EMPTY_DRAFT,
  issuer: ' https://login.example.com/oauth2/default ',
  clientId: ' vault ',
  clientSecret: 's3cret',
  emailDomains: 'example.com\nExample.co.uk',
};

const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/);
const domain = fc
  .tuple(fc.array(label, { minLength: 1, maxLength: 3 }), fc.stringMatching(/^[a-z]{2,6}$/))
  .map(([labels, tld]) => [...labels, tld].join('.'));

describe('the Single sign-on form', () => {
  it('reads the domains one a line, as pasted: commas, @, https://, capitals and repeats', () => {
    expect(parseDomains('example.com\n\n  @Example.co.uk , https://corp.example.org/\nexample.com')).toEqual([
      'example.com',
      'example.co.uk',
      'corp.example.org',
    ]);
    expect(parseDomains('alice@sub.example.com')).toEqual(['sub.example.com']);
    expect(parseDomains(' \n ,; ')).toEqual([]);
  });

  it('gives a body the server’s schema accepts, for any domains however they were typed', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(domain, { minLength: 1, maxLength: 10 }),
        fc.array(fc.constantFrom('\n', ', ', ' ', '\n\n', ';'), { minLength: 10, maxLength: 10 }),
        fc.boolean(),
        (domains, separators, shout) => {
          const typed = domains
            .map((d, i) => (shout ? `@${d.toUpperCase()}` : d) + (separators[i] ?? '\n'))
            .join('');
          const result = draftToInput({ ...filled, emailDomains: typed }, false);
          expect(result.ok).toBe(true);
          if (!result.ok) return;
          expect(result.input.emailDomains).toEqual(domains);
          expect(Value.Check(SsoConfigBody, result.input)).toBe(true);
        },
      ),
    );
  });

  it('says what is missing, by the field, before anything is sent', () => {
    expect(draftToInput(EMPTY_DRAFT, false)).toEqual({
      ok: false,
      errors: {
        issuer: expect.stringContaining('issuer'),
        clientId: expect.stringContaining('client ID'),
        clientSecret: expect.stringContaining('client secret'),
        emailDomains: expect.stringContaining('example.com'),
      },
    });
  });

  it('keeps the stored secret when the field is left empty, and sends a new one when typed', () => {
    const kept = draftToInput({ ...filled, clientSecret: '' }, true);
    expect(kept.ok && 'clientSecret' in kept.input).toBe(false);
    const replaced = draftToInput(filled, true);
    expect(replaced.ok && replaced.input.clientSecret).toBe('s3cret');
    expect(replaced.ok && replaced.input).toMatchObject({
      issuer: 'https://login.example.com/oauth2/default',
      clientId: 'vault',
    });
  });

  it('stores break-glass off while SSO is not required', () => {
    const loose = draftToInput({ ...filled, enforced: false, allowAdminPasswordLogin: true }, false);
    expect(loose.ok && loose.input.allowAdminPasswordLogin).toBe(false);
    const strict = draftToInput({ ...filled, enforced: true, allowAdminPasswordLogin: true }, false);
    expect(strict.ok && strict.input).toMatchObject({ enforced: true, allowAdminPasswordLogin: true });
  });

  it('puts a 400 by the field it names, naming the domain the schema refused', () => {
    const sent = { ...EMPTY_DRAFT, issuer: 'x', clientId: 'y', emailDomains: ['example.com', 'acme'] };
    expect(fieldError('body.emailDomains.1 must match pattern "^(?=…)"', sent)).toEqual({
      field: 'emailDomains',
      message: '“acme” is not a domain: write it like example.com (no @, no https://).',
    });
    expect(fieldError('issuer must be https (or a loopback address)', sent)).toEqual({
      field: 'issuer',
      message: 'issuer must be https (or a loopback address)',
    });
    expect(fieldError('body.clientId must NOT have more than 512 characters', sent)).toEqual({
      field: 'clientId',
      message: 'clientId must NOT have more than 512 characters',
    });
    expect(fieldError('The provider could not be reached', sent)).toBeNull();
  });
});
