import { describe, expect, it } from 'vitest';
import { resolveRange } from './filter.js';

describe('resolveRange', () => {
  const now = Date.UTC(2026, 10, 23, 12);

  it('reads a date-time without a zone as UTC, like every other time in the API', () => {
    expect(resolveRange({ from: '2026-11-01T10:00', to: '2026-11-01T11:30:00' }, now)).toEqual({
      from: Date.UTC(2026, 10, 1, 10),
      to: Date.UTC(2026, 10, 1, 11, 30),
    });
  });

  it('takes a plain to as the last day included and a date-time to as the first instant left out', () => {
    expect(resolveRange({ from: '2026-11-01', to: '2026-11-07' }, now)).toEqual({
      from: Date.UTC(2026, 10, 1),
      to: Date.UTC(2026, 10, 8),
    });
    expect(resolveRange({ to: '2026-11-07T00:00Z' }, now).to).toBe(Date.UTC(2026, 10, 7));
    expect(resolveRange({ from: '2026-11-07', to: '2026-11-07' }, now).to).toBe(Date.UTC(2026, 10, 8));
  });

  it('honours an explicit offset', () => {
    expect(resolveRange({ from: '2026-11-01T10:00+02:00' }, now).from).toBe(Date.UTC(2026, 10, 1, 8));
  });
});
