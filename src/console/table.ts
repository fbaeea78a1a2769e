import { h, type Child } from './dom.js';

/** A table with a hidden caption for assistive technology, column headers, and one row per entry. */
export function dataTable(className: string, caption: string, headers: readonly string[], rows: ReadonlyArray<ReadonlyArray<{ readonly text: Child; readonly number?: boolean }>>): HTMLElement {
  const head = h('tr', {}, ...headers.map((c) => h('th', { scope: 'col' }, c)));
  const body = rows.map((cells) => h('tr', {}, ...cells.map((cell) => h('td', cell.number ? { class: 'number' } : {}, cell.text))));
  return h('table', { class: className }, h('caption', { class: 'visually-hidden' }, caption), h('thead', {}, head), h('tbody', {}, ...body));
}
