import type { Ref } from 'react';
import { digitsOf } from './code-errors.ts';

interface OneTimeCodeFieldProps {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  /** A recovery code (letters, digits, dashes) instead of six digits. */
  recovery?: boolean;
  hint?: string;
  inputRef?: Ref<HTMLInputElement>;
}

/** The code of an authenticator app: six digits the phone's keyboard and autofill can offer. */
export function OneTimeCodeField({
  id,
  label,
  value,
  onChange,
  recovery = false,
  hint,
  inputRef,
}: OneTimeCodeFieldProps) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {recovery ? (
        <input
          ref={inputRef}
          id={id}
          name="recovery-code"
          className="code-input code-input-recovery"
          autoComplete="off"
          autoCapitalize="none"
          spellCheck={false}
          placeholder="xxxx-xxxx-xxxx-xxxx"
          maxLength={64}
          aria-describedby={hint ? `${id}-hint` : undefined}
          value={value}
          onChange={(event) => onChange(event.target.value)}
        />
      ) : (
        <input
          ref={inputRef}
          id={id}
          name="one-time-code"
          className="code-input"
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern="[0-9]{6}"
          placeholder="123456"
          maxLength={7}
          aria-describedby={hint ? `${id}-hint` : undefined}
          value={value}
          onChange={(event) => onChange(digitsOf(event.target.value))}
        />
      )}
      {hint && (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      )}
    </div>
  );
}
