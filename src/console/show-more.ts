import { h } from './dom.js';
import type { PageContext } from './page.js';

/** One page of a keyset list: its rows and where the next page starts (null: none). */
export interface MorePage<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

/**
 * A "Show more" button under a newest-first list: reads the page after `cursor` with `load`
 * (`nextCursor` continues exactly after the last row shown, where `until`, a millisecond, could
 * repeat or skip rows of the same millisecond), hands its rows to `add`, and hides itself after
 * the last page. A failure is said in `failed`; `noun` names the rows for the announcement.
 */
export function showMoreButton<T>(options: {
  readonly ctx: PageContext;
  readonly cursor: string | null;
  readonly load: (cursor: string) => Promise<MorePage<T>>;
  readonly add: (items: readonly T[]) => void;
  readonly failed: HTMLElement;
  readonly noun: string;
}): HTMLButtonElement {
  let cursor = options.cursor;
  const more = h('button', { type: 'button', class: 'secondary', id: 'show-more' }, 'Show more');
  more.hidden = cursor === null;
  more.addEventListener('click', async () => {
    if (cursor === null) return;
    more.disabled = true;
    options.failed.hidden = true;
    try {
      const page = await options.load(cursor);
      if (!options.ctx.isCurrent()) return;
      options.add(page.items);
      cursor = page.nextCursor;
      more.hidden = cursor === null;
      options.ctx.announce(`${page.items.length} more ${options.noun} shown.`);
    } catch (error) {
      options.failed.textContent = `More ${options.noun} could not be loaded: ${error instanceof Error ? error.message : String(error)}`;
      options.failed.hidden = false;
    } finally {
      more.disabled = false;
    }
  });
  return more;
}
