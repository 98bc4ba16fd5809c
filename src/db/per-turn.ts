/**
 * Resolves after this event-loop turn's network reads (a `setImmediate` runs after the poll
 * phase): by then the requests read in this turn have run as far as they can without more I/O.
 */
export function afterThisTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Runs `work` once per event-loop turn for every caller of that turn, after the turn's network
 * reads (afterThisTurn). Whatever `work` reads from the database is therefore read after each
 * caller's request arrived — never an answer older than the request.
 */
export function oncePerTurn<T>(work: () => T | Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= afterThisTurn().then(() => {
      pending = undefined;
      return work();
    });
    return pending;
  };
}

/** Looks up every key asked for in one turn with one call of `lookupMany`. */
export function batchedPerTurn<Row>(
  lookupMany: (keys: string[]) => Promise<ReadonlyMap<string, Row>>,
): (key: string) => Promise<Row | undefined> {
  let keys = new Set<string>();
  const run = oncePerTurn(() => {
    const batch = [...keys];
    keys = new Set();
    return lookupMany(batch);
  });
  return async (key) => {
    keys.add(key);
    return (await run()).get(key);
  };
}
