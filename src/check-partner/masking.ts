import { isObject } from './wire-rules.js';

/** Shorter secret values (a port, a database name) are masked where they sit, not searched for in text. */
const MIN_SEARCHED_LENGTH = 6;
/** Keys whose values are credentials wherever they appear: headers both ways, token fields of bodies. */
const SECRET_KEYS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'access_token', 'refresh_token', 'client_secret', 'id_token']);

const masked = (value: string) => `****(${value.length} chars)`;

/**
 * A copy of `value` with every secret masked: Authorization headers and access tokens, every
 * `secrets[].value` (and its environment overrides), and any other occurrence of a secret value
 * the run has seen, so that a report can be pasted into an issue or kept as a CI artifact.
 */
export function maskSecrets<T>(value: T, secretValues: Iterable<string>): T {
  const searched = [...new Set(secretValues)].filter((v) => v.length >= MIN_SEARCHED_LENGTH).sort((a, b) => b.length - a.length);
  const maskText = (text: string) => searched.reduce((out, secret) => (out.includes(secret) ? out.split(secret).join(masked(secret)) : out), text);
  // `whole`: every string below is a secret (the values of `secrets`, a cookie header's list).
  const walk = (node: unknown, key: string | undefined, whole: boolean): unknown => {
    const secretKey = key !== undefined && SECRET_KEYS.has(key.toLowerCase());
    if (typeof node === 'string') {
      if (secretKey && /authorization$/i.test(key!)) return node.replace(/^(Bearer\s+)?(.*)$/is, (_m, scheme: string | undefined, token: string) => `${scheme ?? ''}${masked(token)}`);
      if (secretKey || (whole && key !== 'name')) return masked(node);
      return maskText(node);
    }
    if (Array.isArray(node)) return node.map((item) => walk(item, whole || secretKey ? key : undefined, whole || secretKey));
    if (isObject(node)) return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, k, whole || secretKey || k === 'secrets')]));
    return node;
  };
  return walk(value, undefined, false) as T;
}
