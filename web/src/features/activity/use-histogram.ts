import { useEffect, useState } from 'react';
import { api } from '../../api/client.ts';
import type { ActivityHistogram } from '../../api/types.ts';
import { type ActivityFilter, filterToQuery } from './filter-url.ts';

/**
 * The histogram of the applied filter, fetched again when the filter changes or the search is run
 * again, not when the table pages. A failure leaves the chart out: the table is what matters.
 */
export function useHistogram(applied: ActivityFilter, reload: number): ActivityHistogram | null {
  const [histogram, setHistogram] = useState<ActivityHistogram | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: reload is the "Get Details again" trigger
  useEffect(() => {
    const abort = new AbortController();
    api
      .activityHistogram(filterToQuery(applied), abort.signal)
      .then(setHistogram)
      .catch(() => {
        if (!abort.signal.aborted) setHistogram(null);
      });
    return () => abort.abort();
  }, [applied, reload]);
  return histogram;
}
