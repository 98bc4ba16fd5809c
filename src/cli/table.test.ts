import { describe, expect, it } from 'vitest';
import { displayWidth, formatTable } from './table.js';

describe('formatTable', () => {
  const columns = [
    { header: 'USER', value: (r: { user: string; city: string }) => r.user },
    { header: 'CITY', value: (r: { user: string; city: string }) => r.city },
  ];

  it('pads every column to its widest cell and leaves no trailing spaces', () => {
    expect(
      formatTable(columns, [
        { user: 'alice@acme', city: 'Zürich' },
        { user: 'bo', city: 'Mountain View' },
      ]),
    ).toBe('USER        CITY\nalice@acme  Zürich\nbo          Mountain View\n');
  });

  it('counts wide characters as two cells and combining marks as none', () => {
    expect(displayWidth('東京')).toBe(4);
    expect(displayWidth('Zu\u0308rich')).toBe(6);
    const lines = formatTable(columns, [
      { user: '東京', city: 'x' },
      { user: 'abcd', city: 'y' },
    ]).split('\n');
    expect(lines[1]?.indexOf('x')).toBe(6 - 2);
    expect(lines[2]?.indexOf('y')).toBe(6);
  });

  it('shows control characters as U+FFFD, so a cell cannot drive the terminal', () => {
    const out = formatTable(columns, [{ user: 'a\u001b[31m', city: 'b\nc' }]);
    expect(out).not.toContain('\u001b');
    expect(out.split('\n')).toHaveLength(3);
  });
});
