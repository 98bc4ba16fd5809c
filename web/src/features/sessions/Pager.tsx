import { formatCount } from '../../lib/format.ts';

interface PagerProps {
  pageIndex: number;
  total: number;
  /** More match than `total` says: the page count is a lower bound. */
  capped: boolean;
  pageSize: number;
  busy: boolean;
  hasNext: boolean;
  onPrevious: () => void;
  onNext: () => void;
}

/** "‹ Previous · Page 2 of 13 · Next ›" under the list. */
export function Pager({ pageIndex, total, capped, pageSize, busy, hasNext, onPrevious, onNext }: PagerProps) {
  const pages = Math.max(1, Math.ceil(total / pageSize), pageIndex + 1);
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" className="button" disabled={pageIndex === 0 || busy} onClick={onPrevious}>
        ‹ Previous
      </button>
      <span className="pager-label" aria-live="polite">
        Page {formatCount(pageIndex + 1)} of {formatCount(pages)}
        {capped ? '+' : ''}
      </span>
      <button type="button" className="button" disabled={!hasNext || busy} onClick={onNext}>
        Next ›
      </button>
    </nav>
  );
}
