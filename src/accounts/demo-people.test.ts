import { describe, expect, it } from 'vitest';
import { CANONICAL_USERNAME } from '../kernel/username.js';
import { demoUsername, isDemoUsername } from './demo-people.js';

describe('the demo crowd’s usernames', () => {
  it('are 30,000 different firstname.lastname names, each a valid username the demo knows as its own', () => {
    const names = Array.from({ length: 30_000 }, (_, i) => demoUsername(i, 'demo-org'));
    expect(new Set(names).size).toBe(30_000);
    expect(names[0]).toMatch(/^[a-z-]+\.[a-z]+@demo-org$/);
    expect(names[25_000]).toMatch(/^[a-z-]+\.[a-z]+3@demo-org$/);
    for (const name of names) {
      expect(CANONICAL_USERNAME.test(name)).toBe(true);
      expect(isDemoUsername(name, 'demo-org')).toBe(true);
    }
  });

  it('are told from an org’s own users and from another org’s crowd', () => {
    expect(isDemoUsername('alice@demo-org', 'demo-org')).toBe(false);
    expect(isDemoUsername('olivia.smith@acme', 'demo-org')).toBe(false);
    expect(isDemoUsername('olivia.smith1@demo-org', 'demo-org')).toBe(false);
    expect(isDemoUsername('olivia.smithers@demo-org', 'demo-org')).toBe(false);
    expect(isDemoUsername('ceo@demo-org', 'demo-org')).toBe(false);
  });
});
