export interface Coalescer {
  /** Asks for a run: now if none ran within the window, else once at the window's end. */
  trigger(): void;
  /** Drops a pending run and stops for good (the page went away). */
  cancel(): void;
}

/**
 * Folds bursts of triggers into few runs of `task`: the first trigger runs it at once, every
 * further trigger within `windowMs` of that run's start folds into one run at the window's end,
 * and runs never overlap. A thousand logins in a second cost two fetches, not a thousand.
 */
export function coalesce(task: () => Promise<void>, windowMs: number): Coalescer {
  let window: ReturnType<typeof setTimeout> | undefined;
  let running = false;
  let pending = false;
  let stopped = false;

  const start = () => {
    pending = false;
    running = true;
    window = setTimeout(windowEnded, windowMs);
    task()
      .catch(() => undefined)
      .finally(() => {
        running = false;
        // The window ended while this run was still going: the folded trigger runs now.
        if (window === undefined && pending && !stopped) start();
      });
  };
  const windowEnded = () => {
    window = undefined;
    if (pending && !running && !stopped) start();
  };

  return {
    trigger() {
      if (stopped) return;
      if (window === undefined && !running) start();
      else pending = true;
    },
    cancel() {
      stopped = true;
      pending = false;
      clearTimeout(window);
      window = undefined;
    },
  };
}
