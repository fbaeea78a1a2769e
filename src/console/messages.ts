import type { ApiError } from './api.js';
import { dollars } from './format.js';
import type { BillingPlan } from './wire.js';

/**
 * The API's error messages are written for programs ("pass paymentMethodId", "`name` must NOT
 * have fewer than 1 characters"); the console says the same things in words for people, naming
 * what to do on this page. Codes the console knows get their own sentence; others keep the
 * server's message, which is already plain for them (a name taken, a declined card).
 */

/**
 * A schema check's message (Ajv's wording, as the server sends it in `fields` or a `bad_request`)
 * as the end of a sentence that starts with the field's label: "must be <= 1024" → "must be at
 * most 1024".
 */
export function fieldMessage(message: string): string {
  const rules: Array<[RegExp, (m: RegExpMatchArray) => string]> = [
    [/^must be <= (.+)$/, (m) => `must be at most ${m[1]}`],
    [/^must be < (.+)$/, (m) => `must be less than ${m[1]}`],
    [/^must be >= (.+)$/, (m) => `must be at least ${m[1]}`],
    [/^must be > (.+)$/, (m) => `must be more than ${m[1]}`],
    [/^must NOT have more than (\d+) characters?$/, (m) => `must be at most ${m[1]} characters long`],
    [/^must NOT have fewer than 1 characters?$/, () => 'is required'],
    [/^must NOT have fewer than (\d+) characters?$/, (m) => `must be at least ${m[1]} characters long`],
    [/^must NOT have more than (\d+) items?$/, (m) => `allows at most ${m[1]} choices`],
    [/^must NOT have fewer than (\d+) items?$/, (m) => `needs at least ${m[1]} choices`],
    [/^must be (number|integer)$/, (m) => (m[1] === 'integer' ? 'must be a whole number' : 'must be a number')],
    [/^must be (string|boolean|array)$/, () => 'has a value of the wrong kind'],
    [/^must be equal to one of the allowed values$/, () => 'is not one of the choices'],
    [/^must match pattern .*$/, () => 'is not in the expected format'],
    [/^must have required property .*$/, () => 'is required'],
  ];
  const trimmed = message.trim().replace(/\.$/, '');
  for (const [pattern, say] of rules) {
    const match = pattern.exec(trimmed);
    if (match) return say(match);
  }
  return trimmed;
}

/** Where a failed create's message belongs on the form. */
export type CreateErrorPlace = 'name' | 'payment' | 'form';

export interface CreateErrorView {
  readonly place: CreateErrorPlace;
  readonly message: string;
}

/** A failed `POST /v1/storage/stores/integration/direct`, in words for the person at the form. */
export function describeCreateError(error: ApiError, plan: BillingPlan | undefined): CreateErrorView {
  const planName = plan?.name ?? 'this plan';
  if (error.param === 'name') {
    // "Invalid request: `name` must NOT have more than 128 characters." → "The name must be at most 128 characters long."
    const rule = /`name` (.+?)\.?$/.exec(error.message)?.[1];
    const said = rule ? fieldMessage(rule) : undefined;
    return { place: 'name', message: said === 'is required' || said === undefined ? 'Enter a name for the store.' : `The name ${said}.` };
  }
  // The console sends no externalId, so a conflict is always about the name.
  if (error.code === 'conflict') return { place: 'name', message: error.message };
  switch (error.code) {
    case 'payment_method_required':
      // The note above the field already says why and offers the Billing page; this says what to do.
      return { place: 'payment', message: `Choose a payment method to create a store on ${planName}.` };
    case 'invalid_payment_method':
      return { place: 'payment', message: 'This payment method cannot be used by the team. Choose another one.' };
    case 'invalid_prepayment_amount':
      return { place: 'payment', message: prepaymentMessage(plan) };
    case 'payment_declined':
      return { place: 'payment', message: `The payment was declined (${error.message.replace(/\.$/, '')}). Choose another payment method.` };
    case 'account_soft_blocked':
      return { place: 'form', message: 'The team has an unpaid invoice: no store can be created until it is paid.' };
    case 'rate_limited':
      return { place: 'form', message: 'Too many stores are being set up for this team at once. Wait a few seconds and try again.' };
    case 'invalid_metadata':
      return { place: 'form', message: 'Some settings need a change.' };
    case 'network':
      return { place: 'form', message: 'Stockroom did not answer. Check the connection and try again.' };
    default:
      break;
  }
  if (error.param === 'prepaymentAmountCents') return { place: 'payment', message: prepaymentMessage(plan) };
  if (error.param === 'paymentMethodId') return { place: 'payment', message: 'Choose a payment method of the team.' };
  return { place: 'form', message: error.message };
}

function prepaymentMessage(plan: BillingPlan | undefined): string {
  const min = plan?.minimumAmount;
  const max = plan?.maximumAmount;
  if (min !== undefined && max !== undefined) return `Enter prepaid credits between ${dollars(min)} and ${dollars(max)}.`;
  if (min !== undefined) return `Enter prepaid credits of at least ${dollars(min)}.`;
  return 'Enter prepaid credits of at least $0.50.';
}
