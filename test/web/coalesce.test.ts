import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { coalesce } from '../../web/src/lib/coalesce.ts';

describe('coalesce (the session list’s live refetch)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A task that counts its runs and finishes when the test says so. */
  function countedTask() {
    const finishers: Array<() => void> = [];
    const task = vi.fn(() => new Promise<void>((resolve) => finishers.push(resolve)));
    return {
      task,
      finishNext: async () => {
        finishers.shift()?.();
        await vi.advanceTimersByTimeAsync(0);
      },
    };
  }

  it('a burst of a hundred triggers runs the task twice: at once, and once at the end of the window', async () => {
    const { task, finishNext } = countedTask();
    const refetch = coalesce(task, 1_000);
    for (let i = 0; i < 100; i += 1) {
      refetch.trigger();
      await vi.advanceTimersByTimeAsync(5);
    }
    expect(task).toHaveBeenCalledTimes(1);
    await finishNext();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(task).toHaveBeenCalledTimes(2);
    await finishNext();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(task).toHaveBeenCalledTimes(2);
  });

  it('one trigger is one run, and a trigger after a quiet window runs at once again', async () => {
    const { task, finishNext } = countedTask();
    const refetch = coalesce(task, 1_000);
    refetch.trigger();
    await finishNext();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(task).toHaveBeenCalledTimes(1);
    refetch.trigger();
    expect(task).toHaveBeenCalledTimes(2);
  });

  it('never overlaps runs: a folded trigger waits for a slow run to finish', async () => {
    const { task, finishNext } = countedTask();
    const refetch = coalesce(task, 1_000);
    refetch.trigger();
    refetch.trigger();
    await vi.advanceTimersByTimeAsync(3_000);
    expect(task).toHaveBeenCalledTimes(1);
    await finishNext();
    expect(task).toHaveBeenCalledTimes(2);
  });

  it('cancel drops the pending run', async () => {
    const { task, finishNext } = countedTask();
    const refetch = coalesce(task, 1_000);
    refetch.trigger();
    refetch.trigger();
    refetch.cancel();
    await finishNext();
    await vi.advanceTimersByTimeAsync(2_000);
    refetch.trigger();
    expect(task).toHaveBeenCalledTimes(1);
  });

  it('a failed run does not stop later ones', async () => {
    const task = vi.fn(() => Promise.reject(new Error('503')));
    const refetch = coalesce(task, 1_000);
    refetch.trigger();
    await vi.advanceTimersByTimeAsync(1_000);
    refetch.trigger();
    expect(task).toHaveBeenCalledTimes(2);
  });
});
