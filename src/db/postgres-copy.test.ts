import { describe, expect, it } from 'vitest';
import { copyTextValue } from './postgres-copy.js';

describe('COPY text format values', () => {
  it('writes null as \\N and escapes backslash, newline, carriage return and tab', () => {
    expect(copyTextValue(null)).toBe('\\N');
    expect(copyTextValue(undefined)).toBe('\\N');
    expect(copyTextValue('olivia.smith@demo\nlondon')).toBe('olivia.smith@demo\\nlondon');
    expect(copyTextValue('a\\b\tc\rd')).toBe('a\\\\b\\tc\\rd');
    expect(copyTextValue('\\N')).toBe('\\\\N');
    expect(copyTextValue(1796201612288)).toBe('1796201612288');
    expect(copyTextValue(-33.8688)).toBe('-33.8688');
    expect(copyTextValue('plain')).toBe('plain');
  });
});
