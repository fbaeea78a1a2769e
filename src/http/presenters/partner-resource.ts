import type { Static } from 'typebox';
import { resourceStatusOf } from '../../domain/partner-resources.js';
import type { ResourceView } from '../../use-cases/partner-resources.js';
import type { PartnerResource, PartnerResourceListItem } from '../schemas/index.js';

type Item = Static<typeof PartnerResourceListItem>;

/** What the list and the single read say alike of a store, as the partner's resource (vercel-contract.md §6). */
function resourceFields({ store, product }: ResourceView): Omit<Item, 'partnerId' | 'protocolSettings'> {
  const status = resourceStatusOf(store);
  return {
    internalId: store.id,
    name: store.name,
    // The partner's own product id; the catalog's when the product left the catalog.
    productId: product?.providerProductId ?? store.productId,
    ...(status ? { status } : {}),
    billingPlanId: store.billingPlan.id,
    metadata: { ...store.metadata } as Item['metadata'],
    ...(store.notification ? { notification: { ...store.notification } } : {}),
  };
}

/** One of Get Integration Resources' `resources`: the partner's id is `partnerId`. */
export function presentPartnerResourceItem(view: ResourceView): Item {
  return {
    partnerId: view.store.externalResourceId ?? '',
    ...resourceFields(view),
    ...(view.store.protocolSettings ? { protocolSettings: view.store.protocolSettings as Item['protocolSettings'] } : {}),
  };
}

/** Get Integration Resource: the partner's id is `id`; `experimentation` keeps its two ids only. */
export function presentPartnerResource(view: ResourceView): Static<typeof PartnerResource> {
  const settings = view.store.protocolSettings as Item['protocolSettings'] | null;
  const experimentation = settings?.experimentation;
  return {
    id: view.store.externalResourceId ?? '',
    ...resourceFields(view),
    ...(settings
      ? {
          protocolSettings: {
            ...(settings.authentication ? { authentication: settings.authentication } : {}),
            ...(experimentation
              ? {
                  experimentation: {
                    ...(experimentation.edgeConfigId !== undefined ? { edgeConfigId: experimentation.edgeConfigId } : {}),
                    ...(experimentation.globalConfigId !== undefined ? { globalConfigId: experimentation.globalConfigId } : {}),
                  },
                }
              : {}),
          },
        }
      : {}),
  };
}
