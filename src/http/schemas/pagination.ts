import { Type, type Static, type TArray, type TObject, type TSchema } from 'typebox';

/**
 * `pagination` of a list (docs/rules.md §7): `count` items on this page, and the millisecond
 * timestamps to pass as `until` (`next`) or `since` (`prev`) for the neighbouring pages, `null` at
 * either end. The SDK's `Pagination` model parses exactly this.
 */
export const Pagination = Type.Object({
  count: Type.Integer({ minimum: 0 }),
  next: Type.Union([Type.Integer(), Type.Null()]),
  prev: Type.Union([Type.Integer(), Type.Null()]),
});
export type Pagination = Static<typeof Pagination>;

/** The properties of a `{[itemsKey]: Item[], pagination}` page. */
export type PaginatedProperties<Key extends string, Item extends TSchema> = {
  [K in Key]: TArray<Item>;
} & { pagination: typeof Pagination };

/** A page of a list, Vercel's shape: `Paginated('teams', Team)` is `{teams: Team[], pagination}`. */
export function Paginated<const Key extends string, Item extends TSchema>(
  itemsKey: Key,
  item: Item,
): TObject<PaginatedProperties<Key, Item>> {
  const properties = { [itemsKey]: Type.Array(item), pagination: Pagination } as PaginatedProperties<Key, Item>;
  return Type.Object(properties);
}
