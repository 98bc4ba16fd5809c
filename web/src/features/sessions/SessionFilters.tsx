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
          <ChoiceField
            id="session-user"
            label="User"
            any="All users"
            value={draft.userId}
            options={users.map((u) => ({ value: u.id, label: u.username }))}
            onChange={(value) => choose('userId', value)}
          />
        )}
        <ChoiceField
          id="session-country"
          label="Country"
          any="All countries"
          value={draft.country}
          options={countries.map((c) => ({ value: c.code, label: c.name }))}
          onChange={(value) => choose('country', value)}
        />
        <ChoiceField
          id="session-device"
          label="Device"
          any="All devices"
          value={draft.deviceType}
          options={DEVICE_TYPES.map((device) => ({ value: device, label: device }))}
          onChange={(value) => choose('deviceType', value)}
        />
        <SuggestedField
          id="session-os"
          label="OS"
          placeholder="Any OS"
          value={draft.os}
          suggestions={OS_NAMES}
          onChange={(value) => type('os', value)}
        />
        <SuggestedField
          id="session-browser"
          label="Browser"
          placeholder="Any browser"
          value={draft.browser}
          suggestions={BROWSER_NAMES}
          onChange={(value) => type('browser', value)}
        />
        <ChoiceField
          id="session-flag"
          label="Risk"
          any="Any"
          value={draft.flag}
          options={FLAGS.map((flag) => ({ value: flag, label: FLAG_LABELS[flag] }))}
          onChange={(value) => choose('flag', value)}
        />
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

interface FieldProps {
  id: string;
  label: string;
  value: string | undefined;
  onChange: (value: string) => void;
}

/** A filter picked from a list, "any" first. */
function ChoiceField(props: FieldProps & { any: string; options: Array<{ value: string; label: string }> }) {
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <select id={props.id} value={props.value ?? ''} onChange={(e) => props.onChange(e.target.value)}>
        <option value="">{props.any}</option>
        {props.options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A filter typed freely, with suggestions. */
function SuggestedField(props: FieldProps & { placeholder: string; suggestions: string[] }) {
  const listId = `${props.id}-names`;
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <input
        id={props.id}
        list={listId}
        placeholder={props.placeholder}
        autoComplete="off"
        value={props.value ?? ''}
        onChange={(e) => props.onChange(e.target.value)}
      />
      <datalist id={listId}>
        {props.suggestions.map((name) => (
          <option key={name} value={name} />
        ))}
      </datalist>
    </div>
  );
}
