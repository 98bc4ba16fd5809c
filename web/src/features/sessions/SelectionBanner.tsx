import { formatCount } from '../../lib/format.ts';

interface SelectionBannerProps {
  /** Sessions on this page, all of them selected. */
  onPage: number;
  /** How many match on every page, as the list says it ("1,234", "10,000+"). */
  total: string;
  allMatching: boolean;
  /** A Logout by filter needs an admin and at least one filter key (never the whole org by accident). */
  canSelectAll: boolean;
  isAdmin: boolean;
  onSelectAll: () => void;
  onClear: () => void;
}

/** Shown once the whole page is selected: offers every match, on every page (as Gmail does). */
export function SelectionBanner(props: SelectionBannerProps) {
  const { onPage, total } = props;
  let offer = null;
  if (props.allMatching) {
    offer = (
      <>
        <strong>All {total} sessions that match are selected</strong>, on every page.{' '}
        <button type="button" className="link-button" onClick={props.onClear}>
          Clear selection
        </button>
      </>
    );
  } else if (props.canSelectAll) {
    offer = (
      <>
        All {formatCount(onPage)} sessions on this page are selected.{' '}
        <button type="button" className="link-button" onClick={props.onSelectAll}>
          Select all {total} sessions that match
        </button>
      </>
    );
  } else {
    offer = (
      <>
        All {formatCount(onPage)} sessions on this page are selected.
        {props.isAdmin &&
          ' To log out more at once, narrow the list with a filter first (a user, a country, …).'}
      </>
    );
  }
  return (
    <div className="selection-banner" role="status">
      {offer}
    </div>
  );
}
