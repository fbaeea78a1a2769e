import type { Team, User } from './wire.js';

/** Values a CLI "finish in the browser" link carries into the create form (partner-api.md §3.2). */
export interface CreatePrefill {
  readonly integration?: string;
  readonly product?: string;
  readonly name?: string;
  readonly metadata?: Readonly<Record<string, unknown>>;
  readonly planId?: string;
}

/** What a page gets from the shell. */
export interface PageContext {
  readonly user: User;
  readonly team: Team;
  /** The route's parameters, e.g. the store id of `#/stores/{id}`. */
  readonly params: Readonly<Record<string, string>>;
  /** Says something to screen readers (a polite live region). */
  announce(message: string): void;
  navigate(hash: string): void;
  /** Runs when the person leaves the page: stop timers there. */
  onLeave(cleanup: () => void): void;
  /** False once the person left: late answers must not touch the page. */
  isCurrent(): boolean;
  /** Taken once by the create page. */
  takePrefill(): CreatePrefill | undefined;
}

export type Page = (main: HTMLElement, ctx: PageContext) => Promise<void>;
