import { h } from '../dom.js';
import type { ListedStore } from '../wire.js';

type StoreNotification = NonNullable<ListedStore['notification']>;

/** What a screen reader hears before the title: the colour says the same to the eye. */
const LEVEL_WORDS: Readonly<Record<StoreNotification['level'], string>> = { info: 'Note', warn: 'Warning', error: 'Error' };

/**
 * The partner's notification about a store (its level, title, message and link), as the store
 * answer carries it (`store.notification`, set by the provider's resource, Import or Update
 * Resource), or null when there is none. The link is shown only for an http(s) URL, so a partner
 * cannot put a `javascript:` link on the page.
 */
export function storeNotification(notification: ListedStore['notification']): HTMLElement | null {
  if (!notification) return null;
  const href = safeHref(notification.href);
  return h(
    'p',
    { class: `notice notice-${notification.level}`, 'data-level': notification.level },
    h('span', { class: 'visually-hidden' }, `${LEVEL_WORDS[notification.level]}: `),
    h('strong', { class: 'notice-title' }, notification.title),
    notification.message ? [' — ', h('span', { class: 'notice-message' }, notification.message)] : null,
    href ? [' ', h('a', { class: 'notice-link', href, target: '_blank', rel: 'noopener noreferrer' }, 'Details')] : null,
  );
}

function safeHref(href: string | undefined): string | null {
  if (!href) return null;
  try {
    const url = new URL(href);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch {
    return null;
  }
}
