import { describe, expect, it } from 'vitest';
import { LiveHub, type LiveStream } from './live-hub.js';

const limits = { perSession: 2, perUser: 3, perInstance: 4 };

function streamOf(sessionId: string, userId: string): LiveStream {
  return { sessionId, userId, orgId: 'org', isAdmin: false, send() {}, close() {} };
}

describe('LiveHub admission', () => {
  it('refuses a session past its cap, then a user past theirs, then anyone past the instance cap', () => {
    const hub = new LiveHub(limits);
    expect(hub.admit(streamOf('s1', 'u1'))).toBeUndefined();
    expect(hub.admit(streamOf('s1', 'u1'))).toBeUndefined();
    expect(hub.admit(streamOf('s1', 'u1'))).toEqual({ limit: 'perSession', max: 2 });
    expect(hub.admit(streamOf('s2', 'u1'))).toBeUndefined();
    expect(hub.admit(streamOf('s2', 'u1'))).toEqual({ limit: 'perUser', max: 3 });
    expect(hub.admit(streamOf('s3', 'u2'))).toBeUndefined();
    expect(hub.admit(streamOf('s4', 'u3'))).toEqual({ limit: 'perInstance', max: 4 });
    expect(hub.size).toBe(4);
  });

  it('gives a removed stream’s slot to the next one, and counts a refused stream nowhere', () => {
    const hub = new LiveHub(limits);
    const first = streamOf('s1', 'u1');
    hub.admit(first);
    hub.admit(streamOf('s1', 'u1'));
    expect(hub.admit(streamOf('s1', 'u1'))).toBeDefined();
    expect(hub.size).toBe(2);
    hub.remove(first);
    expect(hub.admit(streamOf('s1', 'u1'))).toBeUndefined();
    expect(hub.size).toBe(2);
  });
});
