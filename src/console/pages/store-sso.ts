import { api, ApiError } from '../api.js';
import { h, replace } from '../dom.js';
import type { PageContext } from '../page.js';

/**
 * "Open in provider": shown only when the store's integration has a redirect-login URL. A click
 * asks Stockroom for a one-time SSO code and goes to the partner's URL carrying it (the partner
 * exchanges it for an id_token and signs the person in).
 */
export function ssoControl(storeId: string, ctx: PageContext): HTMLElement {
  const slot = h('div', { class: 'actions', id: 'store-sso' });
  const path = `/stockroom/v1/stores/${encodeURIComponent(storeId)}/sso`;
  void api<{ available: boolean }>(path).then(
    ({ available }) => {
      if (!available || !ctx.isCurrent()) return;
      const error = h('p', { class: 'field-error', role: 'alert', hidden: true });
      const button = h('button', { type: 'button', id: 'open-in-provider' }, 'Open in provider');
      goToProviderOnClick(button, error, () => api<{ url: string }>(path, { method: 'POST', body: {} }));
      replace(slot, button, error);
    },
    () => undefined,
  );
  return slot;
}

/**
 * On a click, asks Stockroom for the partner's URL with a one-time SSO code (`start`) and goes
 * there; a refusal is shown in `error` and the button works again.
 */
export function goToProviderOnClick(button: HTMLButtonElement, error: HTMLElement, start: () => Promise<{ url: string }>): void {
  button.addEventListener('click', async () => {
    button.disabled = true;
    error.hidden = true;
    try {
      window.location.assign((await start()).url);
    } catch (failure) {
      error.textContent = failure instanceof ApiError ? failure.message : 'The provider could not be opened.';
      error.hidden = false;
      button.disabled = false;
    }
  });
}
