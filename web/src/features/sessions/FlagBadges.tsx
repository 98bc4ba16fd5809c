import type { Session } from '../../api/types.ts';
import { Tooltip } from '../../components/Tooltip.tsx';
import { FLAG_LABELS } from './filter-url.ts';
import { explainFlag } from './flags.ts';

/** The login's risk flags as small badges, each explained on hover and focus. */
export function FlagBadges({ session }: { session: Session }) {
  if (session.flags.length === 0) return null;
  return (
    <span className="flags">
      {session.flags.map((flag) => (
        <Tooltip key={flag} text={explainFlag(flag, session)} className={`flag flag-${flag}`}>
          <svg viewBox="0 0 16 16" aria-hidden="true" focusable="false">
            <path d="M8 1.8 15 14H1z" />
            <path d="M8 6.3v3.6M8 11.7v.1" />
          </svg>
          {FLAG_LABELS[flag]}
        </Tooltip>
      ))}
    </span>
  );
}
