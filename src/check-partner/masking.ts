import { isObject } from './wire-rules.js';

/** Shorter secret values (a port, a database name) are masked where they sit, not searched for in text. */
const MIN_SEARCHED_LENGTH = 6;
const SECRET_KEYS = new Set(['authorization', 'access_token', 'client_secret', 'id_token']);

const masked = (value: string) => `****(${value.length} chars)`;

/**
 * A copy of `value` with every secret masked: Authorization headers and access tokens, every
 * `secrets[].value` (and its environment overrides), and any other occurrence of a secret value
 * the run has seen, so that a report can be pasted into an issue or kept as a CI artifact.
 */
export function maskSecrets<T>(value: T, secretValues: Iterable<string>): T {
  const searched = [...new Set(secretValues)].filter((v) => v.length >= MIN_SEARCHED_LENGTH).sort((a, b) => b.length - a.length);
  const maskText = (text: string) => searched.reduce((out, secret) => (out.includes(secret) ? out.split(secret).join(masked(secret)) : out), text);
  const walk = (node: unknown, key: string | undefined, inSecrets: boolean): unknown => {
    if (typeof node === 'string') {
      if (key !== undefined && SECRET_KEYS.has(key.toLowerCase())) return key.toLowerCase() === 'authorization' ? node.replace(/^(Bearer\s+)?(.*)$/i, (_m, scheme: string | undefined, token: string) => `${scheme ?? ''}${masked(token)}`) : masked(node);
      if (inSecrets && key !== 'name') return masked(node);
      return maskText(node);
    }
    if (Array.isArray(node)) return node.map((item) => walk(item, undefined, inSecrets));
    if (isObject(node)) return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, k, inSecrets || k === 'secrets')]));
    return node;
  };
  return walk(value, undefined, false) as T;
}
