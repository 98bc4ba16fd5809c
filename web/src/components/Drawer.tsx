import { type ReactNode, useEffect, useId, useRef } from 'react';

interface DrawerProps {
  title: ReactNode;
  open: boolean;
  onClose: () => void;
  children: ReactNode;
}

/**
 * A panel over the right side of the page on the native modal <dialog>: the browser keeps focus
 * inside, Escape and the close button (or a click beside it) close it, and focus goes back to the
 * element that opened it.
 */
export function Drawer({ title, open, onClose, children }: DrawerProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const body = useRef<HTMLDivElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      dialog.showModal();
      // Reading starts at the content, not at the close button the browser would pick.
      body.current?.focus();
    }
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: the click is on the backdrop; from the keyboard, Escape closes (onCancel)
    <dialog
      ref={ref}
      className="drawer"
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
      onClick={(event) => {
        // A click on the backdrop lands on the <dialog> itself, outside its content.
        if (event.target === ref.current) onClose();
      }}
    >
      <div className="drawer-inner">
        <div className="drawer-head">
          <h2 id={titleId} className="drawer-title">
            {title}
          </h2>
          <button type="button" className="icon-button" onClick={onClose} aria-label="Close">
            <svg viewBox="0 0 16 16" aria-hidden="true" focusable="false">
              <path d="m4 4 8 8M12 4l-8 8" />
            </svg>
          </button>
        </div>
        <div ref={body} className="drawer-body" tabIndex={-1}>
          {open && children}
        </div>
      </div>
    </dialog>
  );
}
