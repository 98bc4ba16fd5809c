import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { toStoredDetails } from '../details.js';
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

  it('hashes string details exactly as before objects were allowed (hashes computed by the code before decision 018)', () => {
    const old = {
      orgId: 'org-1',
      seq: 7,
      prevHash: 'a'.repeat(64),
      occurredAt: 1_700_000_000_000,
      recordedAt: 1_700_000_000_500,
      userId: 'u-1',
      username: 'alice',
      activity: 'backup',
      status: 'success',
      target: 'mailbox',
      details: '{"b":1,"a":2}',
      publicIp: '203.0.113.9',
      sessionId: null,
      idempotencyKey: 'k-1',
    };
    expect(hashActivity(old)).toBe('0eab482a58439dcb8088d84e9915a5e96c6cf57cf8109ffd0a5ab198f551c312');
    expect(hashActivity({ ...old, source: 'api_key vs_abc jobs' })).toBe(
      'f89f99c30b94a2137a587edd86b84273bf4e8ada197c29e47297b65389663a16',
    );
    expect(hashActivity({ ...old, details: null })).toBe(
      '32652564d31fed050ad8cf3d08a12aa8034140f341a0c719d06ab18bf582a73c',
    );
    expect(hashActivity({ ...old, detailsJson: null })).toBe(hashActivity(old));
  });

  it('covers an object’s details canonically: key order does not change the hash, a look-alike string does', () => {
    const one = { ...row, ...toStoredDetails({ b: 1, a: { y: ['x', { d: 'z', c: null }], x: true } }) };
    const two = { ...row, ...toStoredDetails({ a: { x: true, y: ['x', { c: null, d: 'z' }] }, b: 1 }) };
    expect(one.detailsJson).toBe('{"a":{"x":true,"y":["x",{"c":null,"d":"z"}]},"b":1}');
    expect(hashActivity(two)).toBe(hashActivity(one));
    expect(
      hashActivity({ ...one, ...toStoredDetails({ b: 2, a: { y: ['x', { d: 'z', c: null }], x: true } }) }),
    ).not.toBe(hashActivity(one));
    const lookAlike = { ...row, ...toStoredDetails(one.detailsJson as string) };
    expect(hashActivity(lookAlike)).not.toBe(hashActivity(one));
    // A row whose flag was dropped, its JSON moved into details, is caught too.
    expect(hashActivity({ ...one, details: one.detailsJson, detailsJson: null })).not.toBe(hashActivity(one));
    expect(hashActivity({ ...one, source: 'admin x' })).not.toBe(hashActivity(one));
  });
});
