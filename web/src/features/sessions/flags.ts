import type { Session, SessionFlag, Travel } from '../../api/types.ts';
import { formatCount } from '../../lib/format.ts';
import { FLAG_LABELS } from './filter-url.ts';

/** The version at the end of a label, as the server strips it for the flags: "Chrome 131" → "Chrome". */
const TRAILING_VERSION = /\s+v?\d[\w.]*$/i;

const oneDecimal = new Intl.NumberFormat(undefined, { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** "9,000 km in 1.0 h (9,000 km/h) from Berlin, Germany"; under six minutes in minutes. */
export function describeTravel(travel: Travel): string {
  const time =
    travel.hours >= 0.1
      ? `${oneDecimal.format(travel.hours)} h`
      : `${formatCount(Math.max(1, Math.round(travel.hours * 60)))} min`;
  return `${formatCount(travel.distanceKm)} km in ${time} (${formatCount(travel.speedKmh)} km/h) from ${travel.fromLocation}`;
}

/** Why the server raised a flag on this login, in a sentence an admin can act on. */
export function explainFlag(flag: SessionFlag, session: Session): string {
  switch (flag) {
    case 'new_device': {
      const browser = session.browser.replace(TRAILING_VERSION, '');
      const os = session.os.replace(TRAILING_VERSION, '');
      return `First login of ${session.username} with ${browser} on ${os} (${session.deviceType})`;
    }
    case 'new_country':
      return `First login of ${session.username} from ${session.location}`;
    case 'impossible_travel':
      return session.travel
        ? describeTravel(session.travel)
        : 'Faster than 1,000 km/h from the place of the previous login';
  }
}

/** The flag's name and its reason, e.g. for a tooltip: "Impossible travel: 9,000 km in 1.0 h …". */
export const flagSentence = (flag: SessionFlag, session: Session): string =>
  `${FLAG_LABELS[flag]}: ${explainFlag(flag, session)}`;
