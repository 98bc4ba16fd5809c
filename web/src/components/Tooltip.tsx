import { type ReactNode, useCallback, useEffect, useId, useRef, useState } from 'react';

const GAP = 6;
const MAX_WIDTH = 320;

/**
 * A small button that shows `text` under it on hover and on keyboard focus (WCAG 1.4.13: Escape
 * hides it), and is described by it for assistive technology. The text is placed `fixed`, so a
 * scrolling table cannot clip it.
 */
export function Tooltip({
  text,
  children,
  className,
}: {
  text: string;
  children: ReactNode;
  className?: string;
}) {
  const id = useId();
  const anchor = useRef<HTMLButtonElement>(null);
  const [at, setAt] = useState<{ top: number; left: number } | null>(null);

  const show = () => {
    const box = anchor.current?.getBoundingClientRect();
    if (!box) return;
    const left = Math.max(8, Math.min(box.left, window.innerWidth - MAX_WIDTH - 8));
    setAt({ top: box.bottom + GAP, left });
  };
  const hide = useCallback(() => setAt(null), []);

  // Fixed to the viewport: once the page scrolls it would float away from its anchor.
  useEffect(() => {
    if (!at) return;
    window.addEventListener('scroll', hide, true);
    return () => window.removeEventListener('scroll', hide, true);
  }, [at, hide]);

  return (
    <span className="tooltip-anchor">
      <button
        ref={anchor}
        type="button"
        className={className}
        aria-describedby={id}
        onMouseEnter={show}
        onMouseLeave={hide}
        onFocus={show}
        onBlur={hide}
        onClick={show}
        onKeyDown={(event) => {
          if (event.key === 'Escape') hide();
        }}
      >
        {children}
      </button>
      <span
        id={id}
        role="tooltip"
        className="tooltip"
        hidden={at === null}
        style={at ? { top: at.top, left: at.left, maxWidth: MAX_WIDTH } : undefined}
      >
        {text}
      </span>
    </span>
  );
}
