/**
 * Long synchronous work (better-sqlite3 reads an export or a chain verification is made of) split
 * into pieces that take turns: the pieces of every caller run one at a time, and once they have
 * used `sliceMs` since the loop last polled for I/O, the next piece waits for a `setImmediate`.
 * So between two polls the process spends at most one slice (plus the piece that crossed it) on
 * them, however many exports and verifications run: a health check or a login is read and
 * answered within that, instead of behind all of them (decision 009).
 *
 * One at a time costs nothing on SQLite (its reads take the one thread anyway) and makes the
 * accounting exact: no other piece runs between a piece's start and its end.
 */
export type TurnShare = <T>(piece: () => Promise<T> | T) => Promise<T>;

export function createTurnShare(sliceMs: number, now: () => number = () => performance.now()): TurnShare {
  let busy = false;
  /** When the pieces started running since the last poll; the slice is measured from here. */
  let sliceStart = Number.NEGATIVE_INFINITY;
  const waiting: Array<() => void> = [];

  // A setImmediate runs after the poll phase: the pieces resume only once pending I/O was read.
  const afterPoll = (start: () => void) =>
    setImmediate(() => {
      sliceStart = now();
      start();
    });
  const withinSlice = () => now() - sliceStart < sliceMs;

  const acquire = (): Promise<void> | undefined => {
    if (busy) return new Promise((resolve) => waiting.push(resolve));
    busy = true;
    return withinSlice() ? undefined : new Promise((resolve) => afterPoll(resolve));
  };
  const release = () => {
    const next = waiting.shift();
    if (next === undefined) busy = false;
    else if (withinSlice()) next();
    else afterPoll(next);
  };

  return async (piece) => {
    const turn = acquire();
    if (turn) await turn;
    try {
      return await piece();
    } finally {
      release();
    }
  };
}

/** For engines whose reads do not block the event loop (PostgreSQL): pieces just run. */
export const runAtOnce: TurnShare = async (piece) => piece();
