import { Type, type Static, type TProperties } from 'typebox';
import { GIT_PROVIDERS, StringEnum } from './enums.js';

/*
 * A product's `metadataSchema` (vercel-contract.md §2.5): what the dashboard renders as the resource
 * form and what Stockroom checks `metadata` against. The SDK accepts exactly 12 property variants,
 * told apart by `type` + `ui:control`; anything else fails the whole products/create response. The
 * same schema validates product catalogs at start-up, so it is closed: unknown keys are rejected
 * too (the SDK would silently drop them, which is never what a catalog author meant).
 */

const closed = { additionalProperties: false } as const;

/** `{expr}`: a condition or text computed by the dashboard (§2.5). */
export const ExprObject = Type.Object({ expr: Type.String() }, closed);
export type ExprObject = Static<typeof ExprObject>;

/**
 * Cond, the value of `ui:hidden`, `ui:disabled`, `ui:read-only` and an option's `hidden`/`disabled`:
 * a boolean, the string `"create"` or `"update"` (only while creating / updating), or `{expr}`.
 * Any other string (e.g. `"always"`) fails the SDK (§2.5, §10.6).
 */
export const Cond = Type.Union([Type.Boolean(), StringEnum(['create', 'update']), ExprObject]);
export type Cond = Static<typeof Cond>;

/** An entry of `ui:options` for select, radio-button and multi-select (§2.5 OptionObj). */
export const OptionObj = Type.Object(
  {
    value: Type.String(),
    label: Type.String(),
    description: Type.Optional(Type.String()),
    disabled: Type.Optional(Cond),
    hidden: Type.Optional(Cond),
  },
  closed,
);
export type OptionObj = Static<typeof OptionObj>;

/** An entry of `ui:options` for the region/country controls: a plain string, or an option whose `label` may be left out (§2.5 #3, #6, #7). */
export const RegionOption = Type.Union([
  Type.String(),
  Type.Object(
    {
      value: Type.String(),
      label: Type.Optional(Type.String()),
      description: Type.Optional(Type.String()),
      disabled: Type.Optional(Cond),
      hidden: Type.Optional(Cond),
    },
    closed,
  ),
]);
export type RegionOption = Static<typeof RegionOption>;

const count = () => Type.Optional(Type.Integer({ minimum: 0 }));

/** Keys every variant may carry (§2.5). */
const common = {
  description: Type.Optional(Type.String()),
  'ui:label': Type.Optional(Type.String()),
  'ui:description': Type.Optional(Type.Union([Type.String(), ExprObject])),
  'ui:formatted-value': Type.Optional(ExprObject),
  'ui:paid-only': Type.Optional(Type.Boolean()),
  'ui:hidden': Type.Optional(Cond),
  'ui:disabled': Type.Optional(Cond),
  'ui:read-only': Type.Optional(Cond),
};

/** Every variant but slider and toggle. */
const placeholder = { 'ui:placeholder': Type.Optional(Type.String()) };

/** The "string keywords" of §2.5: `default`, `enum`, `pattern`, `minLength`, `maxLength`. */
const stringKeywords = {
  default: Type.Optional(Type.String()),
  enum: Type.Optional(Type.Array(Type.String())),
  pattern: Type.Optional(Type.String()),
  minLength: count(),
  maxLength: count(),
};

const numberBounds = {
  minimum: Type.Optional(Type.Number()),
  maximum: Type.Optional(Type.Number()),
  exclusiveMinimum: Type.Optional(Type.Number()),
  exclusiveMaximum: Type.Optional(Type.Number()),
};

/** `items` of a slider: a number. */
export const NumberItems = Type.Object(
  {
    type: Type.Literal('number'),
    ...numberBounds,
    default: Type.Optional(Type.Number()),
    description: Type.Optional(Type.String()),
  },
  closed,
);
export type NumberItems = Static<typeof NumberItems>;

/** `items` of a multi-select / multi-vercel-region: a string. */
export const StringItems = Type.Object(
  { type: Type.Literal('string'), ...stringKeywords, description: Type.Optional(Type.String()) },
  closed,
);
export type StringItems = Static<typeof StringItems>;

/** A variant of §2.5: its `type` and `ui:control` pair, then the keys it takes, closed. */
function variant<const T extends string, const C extends string, K extends TProperties>(type: T, control: C, keys: K) {
  return Type.Object({ type: Type.Literal(type), 'ui:control': Type.Literal(control), ...keys }, closed);
}

/** #1 `array` + `slider`: `items` and `ui:steps` are required. */
export const SliderProperty = variant('array', 'slider', {
  items: NumberItems,
  'ui:steps': Type.Array(Type.Number()),
  default: Type.Optional(Type.Array(Type.Number())),
  minItems: count(),
  maxItems: count(),
  ...common,
});
export type SliderProperty = Static<typeof SliderProperty>;

const multiKeys = {
  items: StringItems,
  default: Type.Optional(Type.Array(Type.String())),
  example: Type.Optional(Type.Array(Type.String())),
  minItems: count(),
  maxItems: count(),
  ...placeholder,
  ...common,
};

/** #2 `array` + `multi-select`: `items` and `ui:options` (OptionObj[]) are required. */
export const MultiSelectProperty = variant('array', 'multi-select', {
  'ui:options': Type.Array(OptionObj),
  ...multiKeys,
});
export type MultiSelectProperty = Static<typeof MultiSelectProperty>;

/** #3 `array` + `multi-vercel-region`: like #2, with region options. */
export const MultiVercelRegionProperty = variant('array', 'multi-vercel-region', {
  'ui:options': Type.Array(RegionOption),
  ...multiKeys,
});
export type MultiVercelRegionProperty = Static<typeof MultiVercelRegionProperty>;

const stringKeys = { ...stringKeywords, ...placeholder, ...common };

/** #4 `string` + `select`: `ui:options` (OptionObj[]) is required. */
export const SelectProperty = variant('string', 'select', { 'ui:options': Type.Array(OptionObj), ...stringKeys });
export type SelectProperty = Static<typeof SelectProperty>;

/** #5 `string` + `radio-button`: like #4. */
export const RadioButtonProperty = variant('string', 'radio-button', { 'ui:options': Type.Array(OptionObj), ...stringKeys });
export type RadioButtonProperty = Static<typeof RadioButtonProperty>;

/** #6 `string` + `vercel-region`: `ui:options` (string or region option) is required. */
export const VercelRegionProperty = variant('string', 'vercel-region', { 'ui:options': Type.Array(RegionOption), ...stringKeys });
export type VercelRegionProperty = Static<typeof VercelRegionProperty>;

/** #7 `string` + `vercel-country`: like #6. */
export const VercelCountryProperty = variant('string', 'vercel-country', { 'ui:options': Type.Array(RegionOption), ...stringKeys });
export type VercelCountryProperty = Static<typeof VercelCountryProperty>;

/** #8 `string` + `input`. */
export const StringInputProperty = variant('string', 'input', { ...stringKeys });
export type StringInputProperty = Static<typeof StringInputProperty>;

/** #9 `number` + `input`. `type: "integer"` is not a variant the SDK accepts. */
export const NumberInputProperty = variant('number', 'input', {
  default: Type.Optional(Type.Number()),
  ...numberBounds,
  ...placeholder,
  ...common,
});
export type NumberInputProperty = Static<typeof NumberInputProperty>;

/** #10 `boolean` + `toggle`. */
export const ToggleProperty = variant('boolean', 'toggle', { default: Type.Optional(Type.Boolean()), ...common });
export type ToggleProperty = Static<typeof ToggleProperty>;

/** #11 `string` + `domain`. */
export const DomainProperty = variant('string', 'domain', { ...stringKeys });
export type DomainProperty = Static<typeof DomainProperty>;

/** #12 `string` + `git-namespace`: no string keywords, optional `git:providers`. */
export const GitNamespaceProperty = variant('string', 'git-namespace', {
  'git:providers': Type.Optional(Type.Array(StringEnum(GIT_PROVIDERS))),
  ...placeholder,
  ...common,
});
export type GitNamespaceProperty = Static<typeof GitNamespaceProperty>;

/** One property of a metadata schema: exactly one of the 12 variants of §2.5. */
export const MetadataProperty = Type.Union([
  SliderProperty,
  MultiSelectProperty,
  MultiVercelRegionProperty,
  SelectProperty,
  RadioButtonProperty,
  VercelRegionProperty,
  VercelCountryProperty,
  StringInputProperty,
  NumberInputProperty,
  ToggleProperty,
  DomainProperty,
  GitNamespaceProperty,
]);
export type MetadataProperty = Static<typeof MetadataProperty>;

/** The 12 `type` + `ui:control` pairs, in the order of §2.5. */
export const METADATA_PROPERTY_VARIANTS = [
  { type: 'array', control: 'slider' },
  { type: 'array', control: 'multi-select' },
  { type: 'array', control: 'multi-vercel-region' },
  { type: 'string', control: 'select' },
  { type: 'string', control: 'radio-button' },
  { type: 'string', control: 'vercel-region' },
  { type: 'string', control: 'vercel-country' },
  { type: 'string', control: 'input' },
  { type: 'number', control: 'input' },
  { type: 'boolean', control: 'toggle' },
  { type: 'string', control: 'domain' },
  { type: 'string', control: 'git-namespace' },
] as const;

/**
 * A product's `metadataSchema` (§2.5). The SDK result renames `ui:order` to `uiOrder`; the wire keeps
 * `ui:order`. That `required` and `ui:order` name existing properties is not expressible in JSON
 * Schema; whoever loads a catalog has to check it.
 */
export const MetadataSchema = Type.Object(
  {
    type: Type.Literal('object'),
    properties: Type.Record(Type.String(), MetadataProperty),
    required: Type.Optional(Type.Array(Type.String())),
    'ui:order': Type.Optional(Type.Array(Type.String())),
  },
  closed,
);
export type MetadataSchema = Static<typeof MetadataSchema>;
