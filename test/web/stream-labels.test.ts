import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FORMAT_LABELS,
  fieldOfError,
  generateSecret,
  isRetrying,
  lagLabel,
  testResultLabel,
  urlPieces,
} from '../../web/src/features/streams/stream-labels.js';

describe('the Streams page’s words', () => {
  it('names both formats, says how far behind a stream is, and what a test found', () => {
    expect(FORMAT_LABELS).toEqual({ json: 'JSON webhook', splunk_hec: 'Splunk HEC' });
    expect(lagLabel(0)).toBe('up to date');
    expect(lagLabel(1)).toBe('1 behind');
    expect(testResultLabel({ delivered: true, status: 200 })).toBe('Delivered (HTTP 200)');
    expect(testResultLabel({ delivered: false, status: 503, error: 'the receiver answered HTTP 503' })).toBe(
      'Not delivered: the receiver answered HTTP 503',
    );
    expect(testResultLabel({ delivered: false })).toBe('Not delivered');
  });

  it('generates a secret of 32 random bytes as 64 hex characters, within the API’s 16–256', () => {
    const secret = generateSecret();
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(generateSecret()).not.toBe(secret);
    expect(generateSecret((b) => b.fill(0))).toBe('0'.repeat(64));
    expect(generateSecret((b) => b.fill(255))).toBe('f'.repeat(64));
  });

  it('finds the field an API message names, and none in a message that names none', () => {
    expect(fieldOfError('body.secret must NOT have fewer than 16 characters')).toBe('secret');
    expect(fieldOfError('body.fromSeq must be >= 1')).toBe('fromSeq');
    expect(fieldOfError('token is required for splunk_hec (the HEC token)')).toBe('token');
    expect(fieldOfError('url must be http or https, not ftp')).toBe('url');
    expect(fieldOfError('An org can have at most 10 streams; delete one first')).toBeNull();
    fc.assert(
      fc.property(fc.string(), (text) => {
        const field = fieldOfError(text);
        expect(field === null || text.replace(/^body\./, '').startsWith(field)).toBe(true);
      }),
    );
  });

  it('says an active stream is retrying while its last attempt is newer than its last success', () => {
    const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 12, minute)).toISOString();
    expect(isRetrying({ state: 'active', lastErrorAt: null, lastSuccessAt: null })).toBe(false);
    expect(isRetrying({ state: 'active', lastErrorAt: at(1), lastSuccessAt: null })).toBe(true);
    expect(isRetrying({ state: 'active', lastErrorAt: at(2), lastSuccessAt: at(1) })).toBe(true);
    // The error is kept after recovery: a later success means it delivers again.
    expect(isRetrying({ state: 'active', lastErrorAt: at(1), lastSuccessAt: at(2) })).toBe(false);
    expect(isRetrying({ state: 'failed', lastErrorAt: at(2), lastSuccessAt: at(1) })).toBe(false);
  });

  it('cuts a URL after its path slashes and before its query, losing nothing', () => {
    expect(urlPieces('https://splunk.example.com:8088/services/collector/event?channel=a&x=1')).toEqual([
      'https://',
      'splunk.example.com:8088/',
      'services/',
      'collector/',
      'event',
      '?channel=a',
      '&x=1',
    ]);
    fc.assert(
      fc.property(fc.string(), (url) => {
        expect(urlPieces(url).join('')).toBe(url);
      }),
    );
  });
});
