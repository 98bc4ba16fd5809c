import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { POLICY_BOUNDS } from '../../src/contracts/org-policy.js';
import type { OrgPolicy } from '../../web/src/api/types.ts';
import { draftToUpdate, parseWholeNumber, toDraft } from '../../web/src/features/settings/policy-form.ts';

const IDLE = POLICY_BOUNDS.idleMinutes;

describe('the settings form reads a number as the admin typed it', () => {
  it('takes digits, with or without thousands separators', () => {
    for (const text of ['10080', '10,080', '10 080', '10_080', ' 10,080 ', '10\u202f080'])
      expect(parseWholeNumber(text, IDLE)).toEqual({ ok: true, value: 10_080 });
    expect(parseWholeNumber('1,000', POLICY_BOUNDS.maxSessionsPerUser)).toEqual({ ok: true, value: 1000 });
  });

  it('reads an empty field as null (the default, or no limit)', () => {
    expect(parseWholeNumber('  ', IDLE)).toEqual({ ok: true, value: null });
  });

  it('refuses, by message, anything else rather than sending NaN (which JSON sends as null)', () => {
    for (const text of ['30m', '1.5', '1.000', '1,00', '10,0800', '1,000 000', '-5', '1e3', '0x10', '٣٠'])
      expect(parseWholeNumber(text, IDLE)).toMatchObject({
        ok: false,
        message: 'Enter a whole number from 1 to 10,080.',
      });
    expect(parseWholeNumber('0', IDLE)).toEqual({ ok: false, message: '0 is outside 1 to 10,080.' });
    expect(parseWholeNumber('10,081', IDLE)).toEqual({
      ok: false,
      message: '10,081 is outside 1 to 10,080.',
    });
  });

  it('never yields a value that is not a whole number in bounds', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const parsed = parseWholeNumber(text, IDLE);
        if (parsed.ok && parsed.value !== null) {
          expect(Number.isInteger(parsed.value)).toBe(true);
          expect(parsed.value).toBeGreaterThanOrEqual(IDLE.min);
          expect(parsed.value).toBeLessThanOrEqual(IDLE.max);
        }
      }),
    );
  });
});

describe('the settings form sends only what the admin changed', () => {
  const loaded: OrgPolicy = {
    idleMinutes: 30,
    maxHours: 720,
    maxSessionsPerUser: 5,
    onLimit: 'end_oldest',
    requireMfa: false,
    defaults: { idleMinutes: 30, maxHours: 720 },
    usesDefault: { idleMinutes: true, maxHours: false },
    version: 4,
  };

  it('an untouched form sends nothing; one changed field is the only one sent, with the version it was loaded at', () => {
    expect(draftToUpdate(toDraft(loaded), loaded)).toEqual({ ok: true, update: {} });
    expect(draftToUpdate({ ...toDraft(loaded), maxSessionsPerUser: '1,000' }, loaded)).toEqual({
      ok: true,
      update: { maxSessionsPerUser: 1000, version: 4 },
    });
    // Typing the default's value sets it as the org's own; emptying a field goes back to the default.
    expect(draftToUpdate({ ...toDraft(loaded), idleMinutes: '30', maxHours: '' }, loaded)).toEqual({
      ok: true,
      update: { idleMinutes: 30, maxHours: null, version: 4 },
    });
  });

  it('a refused field stops the whole update', () => {
    expect(draftToUpdate({ ...toDraft(loaded), idleMinutes: '30m', onLimit: 'deny' }, loaded)).toEqual({
      ok: false,
      errors: { idleMinutes: 'Enter a whole number from 1 to 10,080.' },
    });
  });
});
