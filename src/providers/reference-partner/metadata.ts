import type { FieldError } from '../partner-kit/errors.js';

/** One choice of a `select` control. */
export interface MetadataOption {
  readonly value: string;
  readonly label: string;
}

/**
 * One property of a product's metadata schema, in Vercel's form (vercel-contract.md §2.5): a
 * JSON-Schema type plus the `ui:` keys the dashboard uses. Only the variants the reference
 * products need are described.
 */
export type MetadataProperty =
  | {
      readonly type: 'string';
      readonly 'ui:control': 'select';
      readonly 'ui:options': readonly MetadataOption[];
      readonly 'ui:label'?: string;
      readonly 'ui:hidden'?: boolean;
      readonly description?: string;
      readonly default?: string;
    }
  | {
      readonly type: 'number';
      readonly 'ui:control': 'input';
      readonly 'ui:label'?: string;
      readonly 'ui:hidden'?: boolean;
      readonly description?: string;
      readonly minimum?: number;
      readonly maximum?: number;
      readonly default?: number;
    }
  | {
      readonly type: 'boolean';
      readonly 'ui:control': 'toggle';
      readonly 'ui:label'?: string;
      readonly 'ui:hidden'?: boolean;
      readonly description?: string;
      readonly default?: boolean;
    };

export interface MetadataSchema {
  readonly type: 'object';
  readonly properties: Readonly<Record<string, MetadataProperty>>;
  readonly required?: readonly string[];
  readonly 'ui:order'?: readonly string[];
}

/**
 * Checks metadata against a product's schema and lists every failing field. Keys the schema does
 * not know are accepted and kept: the caller may send more than this partner understands.
 */
export function validateMetadata(schema: MetadataSchema, metadata: Readonly<Record<string, unknown>>): FieldError[] {
  const fields: FieldError[] = [];
  for (const key of schema.required ?? []) {
    const value = metadata[key];
    if (value === undefined || value === null || value === '') fields.push({ key, message: `${key} is required` });
  }
  for (const [key, property] of Object.entries(schema.properties)) {
    const value = metadata[key];
    if (value === undefined || value === null) continue;
    const problem = checkProperty(property, value);
    if (problem) fields.push({ key, message: `${key} ${problem}` });
  }
  return fields;
}

function checkProperty(property: MetadataProperty, value: unknown): string | null {
  switch (property.type) {
    case 'string': {
      if (typeof value !== 'string') return 'must be a string';
      if (value === '') return null; // reported by the required check when it matters
      const allowed = property['ui:options'].map((o) => o.value);
      return allowed.includes(value) ? null : `must be one of ${allowed.join(', ')}`;
    }
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a number';
      if (property.minimum !== undefined && value < property.minimum) return `must be at least ${property.minimum}`;
      if (property.maximum !== undefined && value > property.maximum) return `must be at most ${property.maximum}`;
      return null;
    }
    case 'boolean':
      return typeof value === 'boolean' ? null : 'must be a boolean';
  }
}
