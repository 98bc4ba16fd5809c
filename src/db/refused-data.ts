/**
 * Whether the database refused a statement for the data in it (PostgreSQL's SQLSTATE classes 22,
 * data exception, and 23, integrity constraint violation; SQLite's constraint, type and size
 * errors). Such a transaction rolled back whole, and the same data will be refused again; any
 * other error (a lost connection, a failed commit) may have left it unknown whether it committed.
 */
export function isRefusedData(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  return /^2[23][0-9A-Z]{3}$/.test(code) || /^SQLITE_(CONSTRAINT|MISMATCH|TOOBIG|RANGE)/.test(code);
}
