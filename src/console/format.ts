import { h } from './dom.js';

/** `1234` cents → `$12.34`. */
export function money(cents: number): string {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(cents / 100);
}

/** A plan's money strings are decimal dollars (`"20.00"`, vercel-contract.md §10.6). */
export function dollars(amount: string): string {
  const value = Number(amount);
  return Number.isFinite(value) ? money(Math.round(value * 100)) : amount;
}

export function dateTime(epochMs: number): string {
  return new Date(epochMs).toLocaleString('en-US', { dateStyle: 'medium', timeStyle: 'short' });
}

/** A store status as a badge; the word is the information, the colour only repeats it. */
export function statusBadge(status: string | null): HTMLElement {
  const value = status ?? 'unknown';
  return h('span', { class: `badge badge-${value}` }, value);
}
