import { api, ApiError } from '../api.js';
import { h, replace, uid } from '../dom.js';
import { saveToken } from '../session.js';
import type { User } from '../wire.js';

/**
 * Signing in is checking a token: `GET /v2/user` answers for a valid one. The token is kept in
 * sessionStorage only once it worked.
 */
export function renderSignIn(main: HTMLElement, onSignedIn: (user: User) => void): void {
  const errorId = uid('sign-in-error');
  const error = h('p', { id: errorId, class: 'field-error', role: 'alert', hidden: true });
  const input = h('input', {
    id: 'token',
    name: 'token',
    type: 'password',
    autocomplete: 'off',
    spellcheck: 'false',
    required: true,
    'aria-describedby': `token-help ${errorId}`,
  });
  const button = h('button', { type: 'submit' }, 'Sign in');
  const form = h(
    'form',
    { class: 'card narrow', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'token' }, 'Access token'), input, h('p', { id: 'token-help', class: 'help' }, 'A Stockroom token (srk_…). It is kept in this tab only and sent with every API call.'), error),
    button,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const token = input.value.trim();
    error.hidden = true;
    input.removeAttribute('aria-invalid');
    if (token === '') return showError('Enter your access token.');
    button.disabled = true;
    button.textContent = 'Signing in…';
    try {
      const { user } = await api<{ user: User }>('/v2/user', { token, noTeam: true });
      saveToken(token);
      onSignedIn(user);
    } catch (e) {
      showError(e instanceof ApiError && e.status === 401 ? `${e.message} Check the token and try again.` : 'Stockroom did not answer. Try again.');
    } finally {
      button.disabled = false;
      button.textContent = 'Sign in';
    }
  });

  function showError(message: string): void {
    error.textContent = message;
    error.hidden = false;
    input.setAttribute('aria-invalid', 'true');
    input.focus();
  }

  replace(main, h('h1', {}, 'Sign in to Stockroom'), form);
  document.title = 'Sign in · Stockroom';
  input.focus();
}
