import { api } from '../api.js';
import { h, replace } from '../dom.js';
import type { PageContext } from '../page.js';
import { goToProviderOnClick } from './store-sso.js';

/**
 * `#/sso?integrationConfigurationId=…&teamId=…&resource_id=…`: where the SSO link of
 * `vercel integration open` sends a browser (docs/resources-and-sso-links.md). The person,
 * signed in here, chooses to continue; only then does the console ask Stockroom for a one-time
 * code and go to the partner. The click keeps another site from signing the person in at a
 * partner just by linking here.
 */
export async function renderOpenSso(main: HTMLElement, ctx: PageContext): Promise<void> {
  const query = new URLSearchParams(ctx.params.query ?? '');
  const installationId = query.get('integrationConfigurationId') ?? '';
  const resourceId = query.get('resource_id');
  // The link names its team by id or by slug (Vercel's two team parameters); neither: this tab's team.
  const teamId = query.get('teamId');
  const slug = query.get('slug');
  const team = teamId ? { teamId } : slug ? { slug } : { teamId: ctx.team.id };
  const error = h('p', { class: 'field-error', role: 'alert', hidden: true });
  const button = h('button', { type: 'button', id: 'continue-to-provider' }, 'Continue to the provider');
  const body = { integrationConfigurationId: installationId, ...(resourceId ? { resource_id: resourceId } : {}) };
  goToProviderOnClick(button, error, () => api<{ url: string }>('/stockroom/v1/marketplace/sso', { method: 'POST', body, query: team }));
  replace(
    main,
    h('h1', {}, 'Open in provider'),
    h(
      'p',
      {},
      `You are signing in at the provider as ${ctx.user.username}, for installation ${installationId}`,
      resourceId ? ` and its resource ${resourceId}` : '',
      '.',
    ),
    h('div', { class: 'actions' }, button),
    error,
  );
}
