const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** `activity-log-<org>-<from>-<to>.csv`, safe in a Content-Disposition header and on any file system. */
export function exportFilename(
  orgName: string,
  range: { from: number; until: number },
  format: 'csv' | 'jsonl',
): string {
  const org =
    orgName
      .normalize('NFKD')
      // Accents come apart as combining marks: "Müller" is "muller", not "mu-ller".
      .replace(/\p{M}+/gu, '')
      .replace(/[^A-Za-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .toLowerCase()
      .slice(0, 40) || 'org';
  // The last day included, as the page's "To (included)" names it: a range ending at midnight
  // leaves that day out.
  return `activity-log-${org}-${day(range.from)}-${day(Math.max(range.from, range.until - 1))}.${format}`;
}
