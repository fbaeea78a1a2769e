import { h } from './dom.js';

/** A table of the console's look: a hidden caption for screen readers, column headings, one row per item. */
export function dataTable(caption: string, columns: readonly string[], rows: ReadonlyArray<readonly HTMLElement[]>): HTMLElement {
  return h(
    'table',
    { class: 'ledger' },
    h('caption', { class: 'visually-hidden' }, caption),
    h('thead', {}, h('tr', {}, ...columns.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, ...rows.map((cells) => h('tr', {}, ...cells))),
  );
}
