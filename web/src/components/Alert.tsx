import type { ReactNode } from 'react';

interface AlertProps {
  tone: 'error' | 'info' | 'success' | 'warning';
  children: ReactNode;
  /** Shown as the first line, in bold. */
  title?: string;
}

/** A message box; errors interrupt screen readers (role=alert), the rest wait their turn (role=status). */
export function Alert({ tone, title, children }: AlertProps) {
  return (
    <div className={`alert alert-${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
      {title && <strong className="alert-title">{title}</strong>}
      <div>{children}</div>
    </div>
  );
}
