import { type FormEvent, useEffect, useMemo, useState } from 'react';
import type { SessionFilter, SessionFlag, User } from '../../api/types.ts';
import { countryOptions } from './countries.ts';
import { DEVICE_TYPES, FLAG_LABELS, hasFilter } from './filter-url.ts';

const FLAGS = Object.keys(FLAG_LABELS) as SessionFlag[];
/** Suggestions only: the filters take any name and match it without its version. */
const OS_NAMES = ['Windows', 'macOS', 'iOS', 'iPadOS', 'Android', 'Linux', 'Ubuntu', 'Chrome OS'];
const BROWSER_NAMES = ['Chrome', 'Edge', 'Firefox', 'Safari', 'Mobile Safari', 'Opera', 'Samsung Internet'];

/** The text fields: typed into freely, applied with Enter or Search (the choices apply at once). */
type TextKey = 'os' | 'browser' | 'q';
const TEXT_KEYS: TextKey[] = ['os', 'browser', 'q'];

interface SessionFiltersProps {
  /** The filter in the URL, i.e. the one the list shows. */
  applied: SessionFilter;
  users: User[];
  isAdmin: boolean;
  onApply: (filter: SessionFilter) => void;
}

/** Removes empty and blank values: the URL and the API see only keys that narrow the list. */
function compact(filter: SessionFilter): SessionFilter {
  const out: SessionFilter = {};
  for (const [key, value] of Object.entries(filter) as Array<[keyof SessionFilter, string | undefined]>) {
    const trimmed = value?.trim();
    if (trimmed) Object.assign(out, { [key]: trimmed });
  }
  return out;
}

/** The controls above Session Information: user, country, device, OS, browser, risk, free text. */
export function SessionFilters({ applied, users, isAdmin, onApply }: SessionFiltersProps) {
  const [draft, setDraft] = useState<SessionFilter>(applied);
  // Back/forward or a shared link changes the applied filter: the form follows.
  useEffect(() => setDraft(applied), [applied]);
  const countries = useMemo(countryOptions, []);

  /** A choice applies at once, with whatever is typed in the text fields. */
  const choose = (key: 'userId' | 'country' | 'deviceType' | 'flag', value: string) => {
    const next = compact({ ...draft, [key]: value || undefined });
    setDraft(next);
    onApply(next);
  };
  const type = (key: TextKey, value: string) => setDraft((old) => ({ ...old, [key]: value }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onApply(compact(draft));
  };
  const typedChanged = TEXT_KEYS.some((key) => (draft[key] ?? '').trim() !== (applied[key] ?? ''));

  return (
    <form className="filters session-filters" onSubmit={submit} aria-label="Session filter">
      <div className="filters-grid">
        {isAdmin && (
          <div className="field">
            <label htmlFor="session-user">User</label>
            <select
              id="session-user"
              value={draft.userId ?? ''}
              onChange={(e) => choose('userId', e.target.value)}
            >
              <option value="">All users</option>
              {users.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.username}
                </option>
              ))}
            </select>
          </div>
        )}
        <div className="field">
          <label htmlFor="session-country">Country</label>
          <select
            id="session-country"
            value={draft.country ?? ''}
            onChange={(e) => choose('country', e.target.value)}
          >
            <option value="">All countries</option>
            {countries.map((c) => (
              <option key={c.code} value={c.code}>
                {c.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="session-device">Device</label>
          <select
            id="session-device"
            value={draft.deviceType ?? ''}
            onChange={(e) => choose('deviceType', e.target.value)}
          >
            <option value="">All devices</option>
            {DEVICE_TYPES.map((device) => (
              <option key={device} value={device}>
                {device}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="session-os">OS</label>
          <input
            id="session-os"
            list="session-os-names"
            placeholder="Any OS"
            autoComplete="off"
            value={draft.os ?? ''}
            onChange={(e) => type('os', e.target.value)}
          />
          <datalist id="session-os-names">
            {OS_NAMES.map((name) => (
              <option key={name} value={name} />
            ))}
          </datalist>
        </div>
        <div className="field">
          <label htmlFor="session-browser">Browser</label>
          <input
            id="session-browser"
            list="session-browser-names"
            placeholder="Any browser"
            autoComplete="off"
            value={draft.browser ?? ''}
            onChange={(e) => type('browser', e.target.value)}
          />
          <datalist id="session-browser-names">
            {BROWSER_NAMES.map((name) => (
              <option key={name} value={name} />
            ))}
          </datalist>
        </div>
        <div className="field">
          <label htmlFor="session-flag">Risk</label>
          <select id="session-flag" value={draft.flag ?? ''} onChange={(e) => choose('flag', e.target.value)}>
            <option value="">Any</option>
            {FLAGS.map((flag) => (
              <option key={flag} value={flag}>
                {FLAG_LABELS[flag]}
              </option>
            ))}
          </select>
        </div>
        <div className="field field-search">
          <label htmlFor="session-q">Search</label>
          <input
            id="session-q"
            type="search"
            placeholder="IP prefix, city or user"
            value={draft.q ?? ''}
            onChange={(e) => type('q', e.target.value)}
          />
        </div>
        <div className="filters-actions">
          <button type="submit" className={`button${typedChanged ? ' button-primary' : ''}`}>
            Search
          </button>
          {hasFilter(applied) && (
            <button
              type="button"
              className="button button-quiet"
              onClick={() => {
                setDraft({});
                onApply({});
              }}
            >
              Clear
            </button>
          )}
        </div>
      </div>
    </form>
  );
}
