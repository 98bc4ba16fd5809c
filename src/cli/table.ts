const GAP = '  ';
// Characters a terminal shows two cells wide: CJK, Hangul, full-width forms, emoji.
const WIDE =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u{FF01}-\u{FF60}\u{FFE0}-\u{FFE6}\p{Extended_Pictographic}]/u;
const ZERO_WIDTH = /[\p{M}\p{Cf}]/u;
// Bidirectional overrides would reorder what follows them on the operator's screen.
const UNPRINTABLE = /[\p{Cc}\u2028\u2029\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/gu;

/** How many terminal cells `text` takes, near enough for names, places and browsers. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) width += ZERO_WIDTH.test(char) ? 0 : WIDE.test(char) ? 2 : 1;
  return width;
}

/**
 * Control characters (a user agent is the client's to choose) would move the cursor or recolour
 * the operator's terminal; they are shown as U+FFFD instead.
 */
function printable(value: string): string {
  return value.replace(UNPRINTABLE, '\uFFFD');
}

/** Rows as aligned columns under a header, two spaces apart, no trailing spaces. */
export function formatTable<Row>(
  columns: ReadonlyArray<{ header: string; value: (row: Row) => string }>,
  rows: readonly Row[],
): string {
  const cells = [
    columns.map((c) => c.header),
    ...rows.map((row) => columns.map((c) => printable(c.value(row)))),
  ];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => displayWidth(line[i] as string))));
  return cells
    .map((line) =>
      line
        .map((cell, i) =>
          i === line.length - 1 ? cell : cell + ' '.repeat((widths[i] as number) - displayWidth(cell)),
        )
        .join(GAP)
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join('');
}

/** The same for rows already turned into cells, in the header's order. */
export function formatCells(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return formatTable(
    header.map((title, i) => ({ header: title, value: (row: readonly string[]) => row[i] ?? '' })),
    rows,
  );
}

/** An ISO 8601 UTC time to the second: enough for a table cell. */
export const shortIso = (iso: string): string => `${iso.slice(0, 19)}Z`;
