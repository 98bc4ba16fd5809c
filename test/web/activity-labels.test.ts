import { describe, expect, it } from 'vitest';
import { ACTIVITY } from '../../src/activity/activity-names.js';
import {
  ACTIVITY_LABELS,
  activityLabel,
  fitsSearch,
  knownNamesFor,
} from '../../web/src/features/activity/activity-labels.js';

describe('the Activity filter’s labels', () => {
  it('names every activity the product records (a new one fails here until it has a label)', () => {
    for (const name of Object.values(ACTIVITY)) expect(ACTIVITY_LABELS[name], name).toBeTruthy();
  });

  it('shows a job’s own name as it is, and finds a name by its label or its name, ignoring case', () => {
    expect(activityLabel('backup')).toBe('backup');
    expect(fitsSearch('session.terminated', 'ENDED')).toBe(true);
    expect(fitsSearch('session.terminated', 'session.t')).toBe(true);
    expect(fitsSearch('backup', 'ended')).toBe(false);
    expect(fitsSearch('backup', '  ')).toBe(true);
  });

  it('takes a typed name for every known name it matches ignoring case, and none for a typo', () => {
    const known = ['Backup', 'backup', 'compare'];
    expect(knownNamesFor(' BACKUP ', known)).toEqual(['Backup', 'backup']);
    expect(knownNamesFor('bakup', known)).toEqual([]);
  });
});
