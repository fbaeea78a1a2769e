import type { FieldError } from './api.js';
import { h } from './dom.js';
import { fieldMessage } from './messages.js';
import type { Cond, MetadataProperty, MetadataSchema, OptionObject } from './wire.js';

/**
 * The create form's fields, drawn from a product's `metadataSchema` the way Vercel's dashboard
 * does (vercel-contract.md §2.5): `ui:control` picks the control, `ui:label`, `ui:placeholder`,
 * `ui:description` and `ui:options` dress it, `ui:hidden` leaves it out, `ui:read-only` and
 * `ui:disabled` show it without letting it change, and `ui:order` orders the fields.
 *
 * Required fields (the schema's `required`) are marked before anything is sent, and checked in the
 * browser, so an empty form is answered at once. Every other rule is the server's: its 400
 * `fields` are shown next to the fields they name, so the rules live in one place (the product's
 * schema, checked by Ajv).
 */
export interface MetadataForm {
  readonly element: HTMLElement;
  /** The metadata to send: hidden fields and empty inputs left out, so the schema's defaults apply. */
  values(): Record<string, unknown>;
  /** Shows each error next to its field; returns those naming no field of the form. */
  showErrors(fields: readonly FieldError[]): FieldError[];
  /** An `is required` error for each required field left empty, for `showErrors`. */
  missingRequired(): FieldError[];
  /** The label of `key`'s field, for links from an error summary. */
  labelOf(key: string): string;
  clearErrors(): void;
  /** The id of the first control of `key`, for links from an error summary. */
  controlId(key: string): string | undefined;
  /** The message shown next to `key`'s field, with the field's label. */
  errorText(key: string): string | undefined;
  onChange(listener: () => void): void;
}

interface Field {
  readonly key: string;
  readonly required: boolean;
  readonly element: HTMLElement;
  readonly controls: readonly (HTMLInputElement | HTMLSelectElement)[];
  readonly error: HTMLElement;
  value(): unknown;
}

/**
 * Whether a condition holds while creating. `{expr}` conditions are Vercel's own expression
 * language, which Stockroom does not evaluate: treating them as false keeps such fields usable.
 */
function holds(cond: Cond | undefined): boolean {
  return cond === true || cond === 'create';
}

export function buildMetadataForm(schema: MetadataSchema, prefill: Readonly<Record<string, unknown>> = {}): MetadataForm {
  const required = new Set(schema.required ?? []);
  const ordered = [...(schema['ui:order'] ?? []).filter((k) => k in schema.properties), ...Object.keys(schema.properties)];
  const keys = [...new Set(ordered)].filter((key) => !holds(schema.properties[key]?.['ui:hidden']));
  const fields = keys.flatMap((key) => {
    const property = schema.properties[key];
    return property ? [buildField(key, property, required.has(key), prefill[key])] : [];
  });
  const listeners: Array<() => void> = [];
  const element = h('div', { class: 'metadata-fields' }, ...fields.map((f) => f.element));
  element.addEventListener('input', () => listeners.forEach((l) => l()));
  element.addEventListener('change', () => listeners.forEach((l) => l()));

  return {
    element,
    values() {
      const metadata: Record<string, unknown> = {};
      for (const field of fields) {
        const value = field.value();
        if (value !== undefined) metadata[field.key] = value;
      }
      return metadata;
    },
    showErrors(errors) {
      const unmatched: FieldError[] = [];
      for (const error of errors) {
        const field = fields.find((f) => f.key === error.key);
        if (!field) {
          unmatched.push(error);
          continue;
        }
        field.error.textContent = `${labelOf(field.key, schema.properties[field.key])} ${error.message ? fieldMessage(error.message) : 'is invalid'}.`;
        field.error.hidden = false;
        for (const control of field.controls) control.setAttribute('aria-invalid', 'true');
        field.element.classList.add('has-error');
      }
      return unmatched;
    },
    clearErrors() {
      for (const field of fields) {
        field.error.textContent = '';
        field.error.hidden = true;
        for (const control of field.controls) control.removeAttribute('aria-invalid');
        field.element.classList.remove('has-error');
      }
    },
    missingRequired: () => fields.filter((f) => f.required && isEmpty(f.value())).map((f) => ({ key: f.key, message: 'is required' })),
    labelOf: (key) => labelOf(key, schema.properties[key]),
    controlId: (key) => fields.find((f) => f.key === key)?.controls[0]?.id,
    errorText: (key) => fields.find((f) => f.key === key)?.error.textContent ?? undefined,
    onChange: (listener) => void listeners.push(listener),
  };
}

/**
 * "(required)" beside a label, for the eye. Assistive technology hears "required" from the
 * control's `required` attribute instead (the form is `novalidate`, so the browser does not block
 * on it), so the mark is hidden from it and kept out of the <label>: the field's name stays its label.
 */
export function requiredMark(): HTMLElement {
  return h('span', { class: 'required', 'aria-hidden': 'true' }, '(required)');
}

function isEmpty(value: unknown): boolean {
  return value === undefined || (Array.isArray(value) && value.length === 0);
}

function labelOf(key: string, property: MetadataProperty | undefined): string {
  return property?.['ui:label'] ?? key;
}

function buildField(key: string, property: MetadataProperty, isRequired: boolean, prefilled: unknown): Field {
  const id = `meta-${key.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const errorId = `${id}-error`;
  const helpId = `${id}-help`;
  const help = typeof property['ui:description'] === 'string' ? property['ui:description'] : property.description;
  const locked = holds(property['ui:read-only']) || holds(property['ui:disabled']);
  // A locked field shows (and sends) the schema's default; a prefilled value cannot override it.
  const initial = locked ? property.default : (prefilled ?? property.default);
  const describedBy = [help ? helpId : null, errorId].filter(Boolean).join(' ');
  const error = h('p', { id: errorId, class: 'field-error', hidden: true });
  const helpText = help ? h('p', { id: helpId, class: 'help' }, help) : null;
  // A locked field cannot be filled in, so it is not marked required.
  const required = isRequired && !locked;
  const labelText = [labelOf(key, property), locked ? h('span', { class: 'muted' }, ' (read-only)') : null];
  const mark = required ? requiredMark() : null;
  const control = property['ui:control'];
  const base = { key, error, required };

  const choice = (options: readonly OptionView[], type: 'radio' | 'checkbox', selected: readonly string[]): Field => {
    const inputs = options.map((option, index) =>
      h('input', { type, id: `${id}-${index}`, name: id, value: option.value, checked: selected.includes(option.value), disabled: locked || option.disabled, required: required && type === 'radio', 'aria-describedby': describedBy }),
    );
    const element = h(
      'fieldset',
      { class: `field choice`, 'data-key': key },
      h('legend', {}, ...labelText, mark),
      helpText,
      ...options.map((option, index) => h('div', { class: 'option' }, inputs[index], h('label', { for: `${id}-${index}` }, option.label), option.description ? h('span', { class: 'help' }, ` ${option.description}`) : null)),
      error,
    );
    const checked = () => inputs.filter((i) => i.checked).map((i) => i.value);
    return type === 'radio'
      ? { ...base, element, controls: inputs, value: () => checked()[0] }
      : { ...base, element, controls: inputs, value: () => checked() };
  };

  const wrap = (input: HTMLInputElement | HTMLSelectElement, extra: Node | null = null): HTMLElement =>
    h('div', { class: 'field', 'data-key': key }, h('label', { for: id }, ...labelText), mark, helpText, input, extra, error);

  if (property.type === 'boolean') {
    const input = h('input', { type: 'checkbox', role: 'switch', id, checked: initial === true, disabled: locked, 'aria-describedby': describedBy });
    const element = h('div', { class: 'field toggle', 'data-key': key }, input, h('label', { for: id }, ...labelText), mark, helpText, error);
    return { ...base, element, controls: [input], value: () => input.checked };
  }

  if (property.type === 'array' && control === 'slider') {
    const steps = property['ui:steps'] ?? [];
    const defaults = Array.isArray(initial) ? (initial as readonly unknown[]).map(Number) : [steps[0] ?? 0];
    const output = h('output', { for: id });
    const inputs = defaults.map((value, index) => {
      const at = Math.max(0, steps.indexOf(value));
      return h('input', { type: 'range', id: index === 0 ? id : `${id}-${index}`, min: 0, max: Math.max(0, steps.length - 1), step: 1, value: at, disabled: locked, 'aria-describedby': describedBy });
    });
    const current = () => inputs.map((i) => steps[Number(i.value)] ?? Number(i.value));
    const show = () => void (output.textContent = current().join(' – '));
    for (const input of inputs) input.addEventListener('input', show);
    show();
    const element = h('div', { class: 'field', 'data-key': key }, h('label', { for: id }, ...labelText), mark, helpText, ...inputs, output, error);
    return { ...base, element, controls: inputs, value: () => current() };
  }

  if (property.type === 'array') {
    const selected = Array.isArray(initial) ? (initial as readonly unknown[]).map(String) : [];
    return choice(visibleOptions(property), 'checkbox', selected);
  }

  if (control === 'radio-button') {
    return choice(visibleOptions(property), 'radio', typeof initial === 'string' ? [initial] : []);
  }

  if (control === 'select' || control === 'vercel-region' || control === 'vercel-country') {
    const options = visibleOptions(property);
    const hasInitial = typeof initial === 'string' && options.some((o) => o.value === initial);
    const select = h(
      'select',
      { id, disabled: locked, required, 'aria-describedby': describedBy },
      h('option', { value: '', selected: !hasInitial }, property['ui:placeholder'] ?? 'Choose…'),
      ...options.map((o) => h('option', { value: o.value, disabled: o.disabled, selected: hasInitial && o.value === initial }, o.label)),
    );
    return { ...base, element: wrap(select), controls: [select], value: () => (select.value === '' ? undefined : select.value) };
  }

  // `input` (string or number), `domain`, `git-namespace`: a text box.
  const isNumber = property.type === 'number';
  const input = h('input', {
    id,
    type: isNumber ? 'number' : 'text',
    inputmode: isNumber ? 'decimal' : null,
    step: isNumber ? 'any' : null,
    min: property.minimum,
    max: property.maximum,
    minlength: property.minLength,
    maxlength: property.maxLength,
    placeholder: property['ui:placeholder'],
    value: initial === undefined || initial === null ? null : String(initial),
    readonly: locked,
    required,
    'aria-describedby': describedBy,
  });
  const value = () => {
    const raw = input.value.trim();
    if (raw === '') return undefined;
    if (!isNumber) return raw;
    const number = Number(raw);
    // Sent as typed when it is not a number, so the server's message says what is wrong.
    return Number.isFinite(number) ? number : raw;
  };
  return { ...base, element: wrap(input), controls: [input], value };
}

interface OptionView {
  readonly value: string;
  readonly label: string;
  readonly description?: string;
  readonly disabled: boolean;
}

/** `ui:options` as the form shows them: plain strings are their own label; hidden options are left out. */
function visibleOptions(property: MetadataProperty): OptionView[] {
  return (property['ui:options'] ?? []).flatMap((option: string | OptionObject) => {
    if (typeof option === 'string') return [{ value: option, label: option, disabled: false }];
    if (holds(option.hidden)) return [];
    return [{ value: option.value, label: option.label ?? option.value, ...(option.description ? { description: option.description } : {}), disabled: holds(option.disabled) }];
  });
}

