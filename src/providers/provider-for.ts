import type { CatalogIntegration } from '../catalog/catalog.js';
import type { Membership, User } from '../domain/accounts.js';
import { canWrite } from '../domain/roles.js';
import type { PartnerClient, PartnerClientFactory, UserCaller } from './partner-client.js';

/** The partner-API client of an integration's provider. */
export function providerFor(
  partners: PartnerClientFactory,
  resolveBaseUrl: (configured: string) => string,
  integration: CatalogIntegration,
): PartnerClient {
  return partners.forProvider({ baseUrl: resolveBaseUrl(integration.providerBaseUrl), clientId: integration.clientId });
}

/**
 * The user claims a provider sees (partner-api.md §1.3): OWNER and MEMBER act as `ADMIN`; the
 * read-only roles as `USER`, as Vercel maps its Billing and Viewer roles.
 */
export function userCaller(user: User, membership: Membership): UserCaller {
  return {
    accountId: membership.teamId,
    userId: user.id,
    userRole: canWrite(membership.role) ? 'ADMIN' : 'USER',
    userEmail: user.email,
    ...(user.name ? { userName: user.name } : {}),
  };
}
