/*
 * The partner API's answer shapes as rules that name every departure (docs/check-partner.md,
 * "What each answer must look like"). Plain functions over parsed JSON: each returns the problems
 * it found, as sentences, and an empty list when the value conforms. Stockroom's own client
 * (providers/partner-client.ts) is more lenient on purpose: it reads what partners send today;
 * this is what they should send.
 */

export const RESOURCE_STATUSES = ['ready', 'pending', 'onboarding', 'suspended', 'resumed', 'uninstalled', 'error'] as const;
const PLAN_TYPES = ['subscription', 'prepayment'];
const PLAN_SCOPES = ['installation', 'resource'];
const NOTIFICATION_LEVELS = ['info', 'warn', 'error'];
const MONEY = /^[0-9]+(\.[0-9]{1,2})?$/;
/** What a shell, `.env` files and Vercel's project variables accept as a name. */
export const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ENVIRONMENTS = ['development', 'preview', 'production'];
const TITLE_MAX = 100;
const MESSAGE_MAX = 500;

type Json = Record<string, unknown>;

export const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
/**
 * A value as a problem message shows it. Only scalars are quoted: an object or an array is named by
 * its shape, because a message sits outside the body's structure, where the report's masking of
 * `secrets` cannot reach, and a malformed body may hold secret values anywhere.
 */
function describe(value: unknown): string {
  if (value === undefined) return 'absent';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (isObject(value)) {
    const keys = Object.keys(value);
    return keys.length === 0 ? 'an empty object' : `an object with keys ${keys.slice(0, 8).join(', ')}${keys.length > 8 ? ', …' : ''}`;
  }
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

function requireString(problems: string[], object: Json, field: string, where: string, nonEmpty = false): void {
  const value = object[field];
  if (typeof value !== 'string') problems.push(`${where}.${field} must be a string, is ${describe(value)}`);
  else if (nonEmpty && value === '') problems.push(`${where}.${field} must not be empty`);
}

function optionalOf(problems: string[], object: Json, field: string, where: string, allowed: readonly string[]): void {
  const value = object[field];
  if (value !== undefined && !(typeof value === 'string' && allowed.includes(value))) {
    problems.push(`${where}.${field} must be one of ${allowed.join(', ')}, is ${describe(value)}`);
  }
}

/** A BillingPlan (List Billing Plans, and a Resource's `billingPlan`). */
export function planProblems(plan: unknown, where: string): string[] {
  if (!isObject(plan)) return [`${where} must be an object, is ${describe(plan)}`];
  const problems: string[] = [];
  requireString(problems, plan, 'id', where, true);
  requireString(problems, plan, 'name', where);
  requireString(problems, plan, 'description', where);
  if (!PLAN_TYPES.includes(plan.type as string)) problems.push(`${where}.type must be subscription or prepayment, is ${describe(plan.type)}`);
  optionalOf(problems, plan, 'scope', where, PLAN_SCOPES);
  for (const field of ['paymentMethodRequired', 'disabled']) {
    if (plan[field] !== undefined && typeof plan[field] !== 'boolean') problems.push(`${where}.${field} must be a boolean, is ${describe(plan[field])}`);
  }
  for (const field of ['initialCharge', 'minimumAmount', 'maximumAmount', 'maximumAmountAutoPurchasePerPeriod']) {
    const value = plan[field];
    if (value !== undefined && !(typeof value === 'string' && MONEY.test(value))) problems.push(`${where}.${field} must be a decimal string of dollars such as "20.00", is ${describe(value)}`);
  }
  const preauthorization = plan.preauthorizationAmount;
  if (preauthorization !== undefined && !(typeof preauthorization === 'number' && Number.isFinite(preauthorization) && preauthorization >= 0)) {
    problems.push(`${where}.preauthorizationAmount must be a number of dollars ≥ 0, is ${describe(preauthorization)}`);
  }
  if (plan.type === 'prepayment') {
    const min = plan.minimumAmount;
    const max = plan.maximumAmount;
    if (typeof min !== 'string' || typeof max !== 'string') problems.push(`${where}: a prepayment plan needs minimumAmount and maximumAmount`);
    else if (MONEY.test(min) && MONEY.test(max) && Number(min) > Number(max)) problems.push(`${where}.minimumAmount ${min} is above maximumAmount ${max}`);
  }
  for (const field of ['details', 'highlightedDetails']) {
    const items = plan[field];
    if (items === undefined) continue;
    if (!Array.isArray(items)) problems.push(`${where}.${field} must be an array, is ${describe(items)}`);
    else items.forEach((item, i) => {
      if (!isObject(item) || typeof item.label !== 'string') problems.push(`${where}.${field}[${i}] needs a string label`);
      else if (item.value !== undefined && typeof item.value !== 'string') problems.push(`${where}.${field}[${i}].value must be a string`);
    });
  }
  return problems;
}

/** A List Billing Plans answer: `{plans: BillingPlan[]}`, ids unique, at least one selectable. */
export function planListProblems(body: unknown): string[] {
  if (!isObject(body) || !Array.isArray(body.plans)) return [`the answer must be {"plans": [...]}, is ${describe(body)}`];
  const problems = body.plans.flatMap((plan, i) => planProblems(plan, `plans[${i}]`));
  const ids = body.plans.map((plan) => (isObject(plan) ? plan.id : undefined)).filter((id) => typeof id === 'string');
  const repeated = ids.filter((id, i) => ids.indexOf(id) !== i);
  if (repeated.length > 0) problems.push(`plan ids repeat: ${[...new Set(repeated)].join(', ')}`);
  if (!body.plans.some((plan) => isObject(plan) && plan.disabled !== true)) problems.push('no plan can be chosen: the list is empty or every plan is disabled');
  return problems;
}

/** Allowed but unwise in a plan: what Vercel reads differently from what the partner may mean. */
export function planWarnings(body: unknown): string[] {
  if (!isObject(body) || !Array.isArray(body.plans)) return [];
  return body.plans.flatMap((plan, i) => {
    if (!isObject(plan) || plan.type !== 'subscription') return [];
    if (plan.paymentMethodRequired === undefined) return [`plans[${i}] (${String(plan.id)}) leaves out paymentMethodRequired, which Vercel reads as true: say false if the plan is free`];
    if (plan.paymentMethodRequired === false && (plan.initialCharge !== undefined || plan.preauthorizationAmount !== undefined)) {
      return [`plans[${i}] (${String(plan.id)}) is free (paymentMethodRequired false) but names initialCharge or preauthorizationAmount, which Vercel ignores for free plans`];
    }
    return [];
  });
}

/** A notification (installation or resource): null, or level, title ≤ 100, message ≤ 500, href. */
export function notificationProblems(notification: unknown, where: string): string[] {
  if (notification === undefined || notification === null) return [];
  if (!isObject(notification)) return [`${where} must be an object or null, is ${describe(notification)}`];
  const problems: string[] = [];
  if (!NOTIFICATION_LEVELS.includes(notification.level as string)) problems.push(`${where}.level must be info, warn or error, is ${describe(notification.level)}`);
  if (typeof notification.title !== 'string') problems.push(`${where}.title must be a string`);
  else if (notification.title.length > TITLE_MAX) problems.push(`${where}.title has ${notification.title.length} characters; at most ${TITLE_MAX}`);
  if (notification.message !== undefined) {
    if (typeof notification.message !== 'string') problems.push(`${where}.message must be a string`);
    else if (notification.message.length > MESSAGE_MAX) problems.push(`${where}.message has ${notification.message.length} characters; at most ${MESSAGE_MAX}`);
  }
  if (notification.href !== undefined && !(typeof notification.href === 'string' && /^(https?:\/\/[^\s]+|sso:\S*)$/.test(notification.href))) {
    problems.push(`${where}.href must be an absolute http(s) URL or an sso: link, is ${describe(notification.href)}`);
  }
  return problems;
}

/**
 * An id the checker can put in a path: not empty, and not `.` or `..`, which URL parsing would
 * resolve away (a DELETE of resource `..` would reach Delete Installation).
 */
export function isAddressableId(id: unknown): id is string {
  return typeof id === 'string' && id !== '' && id !== '.' && id !== '..';
}

/** What the resource must echo: the product and the name it was asked for. */
export interface ResourceExpectation {
  readonly id?: string;
  readonly productId: string;
  readonly name: string;
}

/** A Resource (Provision, Get, Update Resource answers). */
export function resourceProblems(resource: unknown, expect: ResourceExpectation): string[] {
  if (!isObject(resource)) return [`the answer must be a Resource object, is ${describe(resource)}`];
  const problems: string[] = [];
  requireString(problems, resource, 'id', 'resource', true);
  if (resource.id === '.' || resource.id === '..') problems.push(`resource.id is "${resource.id}", which cannot stand in a URL path`);
  if (expect.id !== undefined && typeof resource.id === 'string' && resource.id !== expect.id) problems.push(`resource.id is ${describe(resource.id)}, not ${describe(expect.id)}`);
  if (resource.productId !== expect.productId) problems.push(`resource.productId is ${describe(resource.productId)}, not the product asked for, ${describe(expect.productId)}`);
  if (resource.name !== expect.name) problems.push(`resource.name is ${describe(resource.name)}, not ${describe(expect.name)}`);
  if (!isObject(resource.metadata)) problems.push(`resource.metadata must be an object, is ${describe(resource.metadata)}`);
  if (!RESOURCE_STATUSES.includes(resource.status as (typeof RESOURCE_STATUSES)[number])) problems.push(`resource.status must be one of ${RESOURCE_STATUSES.join(', ')}, is ${describe(resource.status)}`);
  if (resource.billingPlan !== undefined) problems.push(...planProblems(resource.billingPlan, 'resource.billingPlan'));
  problems.push(...notificationProblems(resource.notification, 'resource.notification'));
  return problems;
}

/** The `secrets` of a Provision answer or a synchronous rotation: at least one, well named. */
export function secretsProblems(secrets: unknown, where: string): string[] {
  if (!Array.isArray(secrets)) return [`${where} must be an array of {name, value}, is ${describe(secrets)}`];
  if (secrets.length === 0) return [`${where} is empty: at least one secret is needed for the project's environment variables`];
  const problems: string[] = [];
  const names: string[] = [];
  secrets.forEach((secret, i) => {
    if (!isObject(secret)) return void problems.push(`${where}[${i}] must be an object`);
    if (typeof secret.name !== 'string' || !SECRET_NAME.test(secret.name)) problems.push(`${where}[${i}].name must be an environment variable name (letters, digits, _; not starting with a digit), is ${describe(secret.name)}`);
    else names.push(secret.name);
    if (typeof secret.value !== 'string' || secret.value === '') problems.push(`${where}[${i}].value must be a non-empty string`);
    const overrides = secret.environmentOverrides;
    if (overrides !== undefined) {
      if (!isObject(overrides)) problems.push(`${where}[${i}].environmentOverrides must be an object`);
      else for (const [key, value] of Object.entries(overrides)) {
        if (!ENVIRONMENTS.includes(key)) problems.push(`${where}[${i}].environmentOverrides.${key} is not an environment (development, preview, production)`);
        else if (typeof value !== 'string') problems.push(`${where}[${i}].environmentOverrides.${key} must be a string`);
      }
    }
  });
  const repeated = names.filter((name, i) => names.indexOf(name) !== i);
  if (repeated.length > 0) problems.push(`${where} names repeat: ${[...new Set(repeated)].join(', ')}`);
  return problems;
}

/** The names and values of well-formed secrets, for comparison and masking. */
export function secretsOf(secrets: unknown): Array<{ name: string; value: string }> {
  if (!Array.isArray(secrets)) return [];
  return secrets.flatMap((s) => (isObject(s) && typeof s.name === 'string' && typeof s.value === 'string' ? [{ name: s.name, value: s.value }] : []));
}

/**
 * Every secret as `{name, value}`, whatever shape the partner sent: the documented list of
 * `{name, value, environmentOverrides}` (each override counted under its secret's name), or a map
 * `{NAME: value}` some partners send by mistake. Used to find credentials to mask and look for,
 * before the shape is judged.
 */
export function secretEntries(secrets: unknown): Array<{ name: string; value: string }> {
  const entries: Array<{ name: string; value: string }> = [];
  const add = (name: string, value: unknown) => {
    if (typeof value === 'string' && value !== '') entries.push({ name, value });
    else if (isObject(value) || Array.isArray(value)) for (const inner of Object.values(value)) add(name, inner);
  };
  if (Array.isArray(secrets)) {
    for (const secret of secrets) {
      if (!isObject(secret)) continue;
      const name = typeof secret.name === 'string' ? secret.name : 'SECRET';
      for (const [key, value] of Object.entries(secret)) if (key !== 'name') add(name, value);
    }
  } else if (isObject(secrets)) {
    for (const [name, value] of Object.entries(secrets)) add(name, value);
  }
  return entries;
}

/** Get/Update Installation's answer: `{billingPlan?, notification?}`. */
export function installationProblems(body: unknown): string[] {
  if (!isObject(body)) return [`the answer must be an object {billingPlan?, notification?}, is ${describe(body)}`];
  return [...(body.billingPlan === undefined ? [] : planProblems(body.billingPlan, 'billingPlan')), ...notificationProblems(body.notification, 'notification')];
}

/** The partner API's error body: `{error: {code, message, user?, fields?}}`, `fields` on 400 only. */
export function errorBodyProblems(body: unknown, status: number): string[] {
  if (!isObject(body) || !isObject(body.error)) return [`the body must be {"error": {"code", "message"}}, is ${describe(body)}`];
  const problems: string[] = [];
  requireString(problems, body.error, 'code', 'error', true);
  requireString(problems, body.error, 'message', 'error');
  const fields = body.error.fields;
  if (fields !== undefined) {
    if (status !== 400) problems.push(`error.fields is only for 400 answers, sent with ${status}`);
    if (!Array.isArray(fields) || !fields.every((f) => isObject(f) && typeof f.key === 'string')) problems.push('error.fields must be an array of {key, message?}');
  }
  const user = body.error.user;
  if (user !== undefined && !isObject(user)) problems.push('error.user must be an object {message?, url?}');
  return problems;
}

/** A rotation answer: 200 `{sync: true, secrets, partial?}` or 202 `{sync: false}`. */
export function rotationProblems(body: unknown, status: number): string[] {
  if (!isObject(body)) return [`the answer must be {"sync": …}, is ${describe(body)}`];
  if (status === 202) return body.sync === false ? [] : [`a 202 answer must be {"sync": false}, is ${describe(body)}`];
  if (body.sync !== true) return [`a 200 answer must be {"sync": true, "secrets": [...]}, is ${describe(body)}`];
  const problems = secretsProblems(body.secrets, 'secrets');
  if (body.partial !== undefined && typeof body.partial !== 'boolean') problems.push('partial must be a boolean');
  return problems;
}
