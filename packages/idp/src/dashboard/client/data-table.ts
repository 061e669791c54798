import { type Child, h } from './element.ts';

/** One column: its header and how a row shows in it. */
export interface Column<T> {
  header: string;
  cell: (row: T) => Child | Child[];
  /** `num` right-aligns; `code` uses the monospace face, `tag` too without wrapping (event types, ids). */
  kind?: 'num' | 'code' | 'tag';
}

/** A table with a caption (for screen readers), or the `empty` text when there are no rows. */
export function dataTable<T>(options: {
  caption: string;
  columns: readonly Column<T>[];
  rows: readonly T[];
  empty: string;
}): HTMLElement {
  if (options.rows.length === 0) return h('p', { class: 'empty' }, options.empty);
  return h(
    'div',
    { class: 'table-scroll' },
    h(
      'table',
      { class: 'data-table' },
      h('caption', { class: 'visually-hidden' }, options.caption),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          options.columns.map((column) => h('th', { scope: 'col', class: column.kind ?? '' }, column.header)),
        ),
      ),
      h(
        'tbody',
        {},
        options.rows.map((row) =>
          h(
            'tr',
            {},
            options.columns.map((column) => h('td', { class: column.kind ?? '' }, column.cell(row))),
          ),
        ),
      ),
    ),
  );
}
