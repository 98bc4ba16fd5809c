import { type FormEvent, useEffect, useState } from 'react';
import type { User } from '../../api/types.ts';
import { Alert } from '../../components/Alert.tsx';
import { formatDateTime, localDay } from '../../lib/time.ts';
import { ActivityPicker } from './ActivityPicker.tsx';
import {
  type ActivityFilter,
  DEFAULT_FILTER,
  filterProblem,
  isInstant,
  PERIOD_OPTIONS,
  type PeriodChoice,
} from './filter-url.ts';

interface ActivityFiltersProps {
  /** The filter in the URL, i.e. the one the results show. */
  applied: ActivityFilter;
  users: User[];
  isAdmin: boolean;
  activityTypes: string[];
  onApply: (filter: ActivityFilter) => void;
}

/** Statuses the product and the usual jobs record; the API takes any (status=…). */
const STATUS_OPTIONS = [
  { value: '', label: 'Any status' },
  { value: 'success', label: 'Success' },
  { value: 'failed', label: 'Failed' },
  { value: 'aborted', label: 'Aborted' },
];

/** The seed's search form: Time Period, Users, Activity, Status, text, Get Details. */
export function ActivityFilters({ applied, users, isAdmin, activityTypes, onApply }: ActivityFiltersProps) {
  const [draft, setDraft] = useState(applied);
  const [problem, setProblem] = useState<string | null>(null);
  // Back/forward or a shared link changes the applied filter: the form follows.
  useEffect(() => {
    setDraft(applied);
    setProblem(null);
  }, [applied]);

  const set = <K extends keyof ActivityFilter>(key: K, value: ActivityFilter[K]) =>
    setDraft((old) => ({ ...old, [key]: value }));

  const choosePeriod = (period: PeriodChoice) => {
    if (period === 'custom' && !draft.from && !draft.to) {
      const today = new Date();
      const monthAgo = new Date(today.getFullYear(), today.getMonth() - 1, today.getDate());
      setDraft((old) => ({ ...old, period, from: localDay(monthAgo), to: localDay(today) }));
    } else {
      set('period', period);
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found = filterProblem(draft);
    setProblem(found);
    if (!found) onApply(draft);
  };

  const today = localDay(new Date());
  return (
    <form className="filters" onSubmit={submit} aria-label="Activity filter">
      <div className="filters-grid">
        <div className="field">
          <label htmlFor="period">Time Period</label>
          <select
            id="period"
            value={draft.period}
            onChange={(e) => choosePeriod(e.target.value as PeriodChoice)}
          >
            {PERIOD_OPTIONS.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        </div>
        {draft.period === 'custom' && (isInstant(draft.from) || isInstant(draft.to)) && (
          <div className="field">
            <span className="field-label">Narrowed on the chart</span>
            <p className="narrowed">
              {formatDateTime(draft.from)} – {formatDateTime(draft.to)}
            </p>
            <button
              type="button"
              className="link-button"
              onClick={() =>
                setDraft((old) => ({
                  ...old,
                  from: localDay(new Date(old.from)),
                  to: localDay(new Date(Date.parse(old.to) - 1)),
                }))
              }
            >
              Pick days instead
            </button>
          </div>
        )}
        {draft.period === 'custom' && !isInstant(draft.from) && !isInstant(draft.to) && (
          <>
            <div className="field">
              <label htmlFor="from">From</label>
              <input
                id="from"
                type="date"
                max={draft.to || today}
                value={draft.from}
                required
                onChange={(e) => set('from', e.target.value)}
              />
            </div>
            <div className="field">
              <label htmlFor="to">To (included)</label>
              <input
                id="to"
                type="date"
                min={draft.from || undefined}
                value={draft.to}
                required
                onChange={(e) => set('to', e.target.value)}
              />
            </div>
          </>
        )}
        <div className="field">
          <label htmlFor="user">Users</label>
          {isAdmin ? (
            <select id="user" value={draft.userId} onChange={(e) => set('userId', e.target.value)}>
              <option value="">All users</option>
              {users.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.username}
                </option>
              ))}
            </select>
          ) : (
            <select id="user" defaultValue="" aria-describedby="user-hint">
              <option value="">{users[0]?.username ?? 'Me'}</option>
            </select>
          )}
          {!isAdmin && (
            <p id="user-hint" className="hint">
              You see your own activity.
            </p>
          )}
        </div>
        <div className="field">
          <label htmlFor="activity">Activity</label>
          <ActivityPicker
            value={draft.activities}
            known={activityTypes}
            onChange={(names) => set('activities', names)}
          />
        </div>
        <div className="field">
          <label htmlFor="status">Status</label>
          <select id="status" value={draft.status} onChange={(e) => set('status', e.target.value)}>
            {STATUS_OPTIONS.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="q">Text or IP</label>
          <input
            id="q"
            type="search"
            placeholder="Target, details or an IP"
            value={draft.q}
            onChange={(e) => set('q', e.target.value)}
          />
        </div>
        <div className="filters-actions">
          <button type="submit" className="button button-primary">
            Get Details
          </button>
          <button
            type="button"
            className="button button-quiet"
            onClick={() => {
              setDraft({ ...DEFAULT_FILTER, sort: applied.sort, order: applied.order });
              setProblem(null);
            }}
          >
            Clear
          </button>
        </div>
      </div>
      {problem && <Alert tone="error">{problem}</Alert>}
    </form>
  );
}
