import type { ReactNode } from 'react';

interface NumberInputProps {
  id: string;
  label: string;
  placeholder: string;
  value: string;
  /** The field's refusal, shown under it and read with it; null when the value is fine. */
  error: string | null;
  onChange: (value: string) => void;
  children: ReactNode;
}

/** A numeric policy field: its label, its hint (the children) and, once refused, the reason. */
export function NumberInput({ id, label, placeholder, value, error, onChange, children }: NumberInputProps) {
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        inputMode="numeric"
        placeholder={placeholder}
        aria-invalid={error !== null}
        aria-describedby={error ? `${errorId} ${hintId}` : hintId}
        value={value}
        onChange={(event) => onChange(event.target.value)}
      />
      {error && (
        <p id={errorId} className="field-error">
          {error}
        </p>
      )}
      <p id={hintId} className="hint">
        {children}
      </p>
    </div>
  );
}
