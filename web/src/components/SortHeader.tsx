import type { ReactNode } from 'react';
import type { SortOrder } from '../api/types.ts';

interface SortHeaderProps<Column extends string> {
  column: Column;
  label: ReactNode;
  sort: Column;
  order: SortOrder;
  onSort: (column: Column) => void;
  className?: string;
}

/** A column header that sorts on the server: a button, with the state in aria-sort. */
export function SortHeader<Column extends string>(props: SortHeaderProps<Column>) {
  const active = props.sort === props.column;
  const direction = active ? (props.order === 'asc' ? 'ascending' : 'descending') : undefined;
  return (
    <th scope="col" aria-sort={direction ?? 'none'} className={props.className}>
      <button type="button" className="sort-button" onClick={() => props.onSort(props.column)}>
        {props.label}
        <svg
          className={`sort-icon ${active ? `sort-${props.order}` : ''}`}
          viewBox="0 0 10 14"
          aria-hidden="true"
        >
          <path className="sort-up" d="M5 1 9 6H1z" />
          <path className="sort-down" d="M5 13 1 8h8z" />
        </svg>
        <span className="visually-hidden">
          {active ? `, sorted ${direction}; activate to reverse` : ', activate to sort'}
        </span>
      </button>
    </th>
  );
}
