import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashActivity } from './chain.js';

const row = {
  orgId: 'b1280df7-8b7b-474d-a58b-5b7614bf554e',
  seq: 9_007_199_254_740,
  occurredAt: 1_763_950_000_123,
  recordedAt: 1_763_950_000_456,
  userId: null,
  username: 'zoë@example.com',
  activity: 'restore',
  status: 'failure',
  target: '=HYPERLINK("x")\r\n, "quoted"\\ \u0001 🎉',
  details: '',
  publicIp: '2001:db8::1',
  sessionId: null,
  idempotencyKey: 'job-42',
  prevHash: 'ab'.repeat(32),
};

describe('the chain hash', () => {
  it('is SHA-256 of the JSON array of every field in canonical order (chains already stored depend on it)', () => {
    const canonical = JSON.stringify([
      row.orgId,
      row.seq,
      row.occurredAt,
      row.recordedAt,
      row.userId,
      row.username,
      row.activity,
      row.status,
      row.target,
      row.details,
      row.publicIp,
      row.sessionId,
      row.idempotencyKey,
      row.prevHash,
    ]);
    expect(hashActivity(row)).toBe(createHash('sha256').update(canonical).digest('hex'));
  });

  it('changes with any field, and tells an empty text from none', () => {
    expect(hashActivity({ ...row, details: null })).not.toBe(hashActivity(row));
    expect(hashActivity({ ...row, seq: row.seq + 1 })).not.toBe(hashActivity(row));
    expect(hashActivity({ ...row, prevHash: 'cd'.repeat(32) })).not.toBe(hashActivity(row));
  });
});
