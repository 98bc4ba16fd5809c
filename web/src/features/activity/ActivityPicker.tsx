import { type KeyboardEvent, useEffect, useRef, useState } from 'react';
import { activityLabel, fitsSearch, knownNamesFor } from './activity-labels.ts';

interface ActivityPickerProps {
  /** The names chosen: the org's known names, or a name typed that the org does not have. */
  value: string[];
  /** The org's activity names (`GET /api/activity-types`). */
  known: string[];
  onChange: (names: string[]) => void;
}

/**
 * The Activity filter: the org's activity names with readable labels, several at once, and a
 * search that also takes a typed name (matched ignoring case, as the server does). A typed name
 * the org has never recorded is kept, and said so: it finds nothing.
 */
export function ActivityPicker({ value, known, onChange }: ActivityPickerProps) {
  const [open, setOpen] = useState(false);
  const [search, setSearch] = useState('');
  const root = useRef<HTMLDivElement>(null);

  // Closes on a click elsewhere or Escape, as a select would.
  useEffect(() => {
    if (!open) return;
    const away = (event: MouseEvent) => {
      if (!root.current?.contains(event.target as Node)) setOpen(false);
    };
    const closeOnEscape = (event: globalThis.KeyboardEvent) => {
      if (event.key === 'Escape') setOpen(false);
    };
    document.addEventListener('mousedown', away);
    document.addEventListener('keydown', closeOnEscape);
    return () => {
      document.removeEventListener('mousedown', away);
      document.removeEventListener('keydown', closeOnEscape);
    };
  }, [open]);

  const chosen = new Set(value);
  const toggle = (name: string) =>
    onChange(chosen.has(name) ? value.filter((n) => n !== name) : [...value, name]);
  const unknown = value.filter((name) => !known.includes(name));
  const listed = [...unknown, ...known].filter((name) => fitsSearch(name, search));
  const typed = search.trim();
  const typedIsNew = typed !== '' && knownNamesFor(typed, known).length === 0 && !chosen.has(typed);

  /** Enter adds what is typed: the known names it stands for, else the name as typed. */
  const addTyped = () => {
    if (!typed) return;
    const names = knownNamesFor(typed, known);
    const added = (names.length ? names : [typed]).filter((name) => !chosen.has(name));
    if (added.length) onChange([...value, ...added]);
    setSearch('');
  };
  const onKey = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      addTyped();
    }
  };

  const summary =
    value.length === 0
      ? 'All activities'
      : value.length === 1
        ? activityLabel(value[0] as string)
        : `${value.length} activities`;
  return (
    <div className="picker" ref={root}>
      <button
        type="button"
        id="activity"
        className="picker-button"
        aria-haspopup="true"
        aria-expanded={open}
        aria-describedby={unknown.length ? 'activity-unknown' : undefined}
        onClick={() => setOpen((was) => !was)}
      >
        <span>{summary}</span>
      </button>
      {unknown.length > 0 && (
        <p id="activity-unknown" className="hint hint-warning">
          Never recorded in this org: {unknown.join(', ')}
        </p>
      )}
      {open && (
        <fieldset className="picker-panel" aria-label="Activities">
          <input
            type="search"
            className="picker-search"
            aria-label="Find or type an activity"
            placeholder="Find or type a name"
            autoComplete="off"
            // biome-ignore lint/a11y/noAutofocus: the panel opens for this field
            autoFocus
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            onKeyDown={onKey}
          />
          <ul className="picker-list">
            {listed.map((name) => (
              <li key={name}>
                <label>
                  <input type="checkbox" checked={chosen.has(name)} onChange={() => toggle(name)} />
                  <span className="picker-label">{activityLabel(name)}</span>
                  {activityLabel(name) !== name && <code className="picker-name">{name}</code>}
                </label>
              </li>
            ))}
            {listed.length === 0 && !typedIsNew && <li className="picker-empty">No activities yet</li>}
          </ul>
          {typedIsNew && (
            <button type="button" className="button button-quiet picker-add" onClick={addTyped}>
              Filter by “{typed}” (not recorded in this org)
            </button>
          )}
          {value.length > 0 && (
            <button type="button" className="button button-quiet picker-add" onClick={() => onChange([])}>
              All activities
            </button>
          )}
        </fieldset>
      )}
    </div>
  );
}
