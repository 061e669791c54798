import type { ActionFailure } from '../action-error-codes.ts';
import {
  CACHE_DEFAULT_TTL_MS,
  CACHE_MAX_TTL_MS,
  type CacheRecord,
  cacheWriteError,
} from '../cache/cache-limits.ts';
import { isJsonObject, type JsonValue } from '../json-value.ts';
import type { RecordedApiCall, SandboxArgument } from '../post-login-api.ts';

/** The Action's cache as this execution sees it: fetched before the run, changed by its own writes. */
export interface CacheView {
  /** Epoch milliseconds at the start of the execution. */
  now: number;
  entries: Map<string, CacheRecord>;
}

type Answer =
  | { ok: true; value: JsonValue | undefined; call?: RecordedApiCall }
  | { ok: false; failure: ActionFailure };

const invalidCall = (detail: string): Answer => ({
  ok: false,
  failure: { code: 'action_invalid_call', detail },
});

/**
 * `api.cache.get`, `set` and `delete`, answered at once from `view` (Auth0 scripts read the cache
 * synchronously). Writes return `{ type: 'success' }` and are recorded for the host, which stores
 * them once the execution succeeded; a write that does not fit the limits returns
 * `{ type: 'error', code }` as Auth0's does. Arguments of the wrong type fail the execution.
 */
export function answerCacheMethod(
  method: 'cache.get' | 'cache.set' | 'cache.delete',
  args: readonly SandboxArgument[],
  view: CacheView,
): Answer {
  const [keyArg, valueArg, optionsArg] = args;
  if (keyArg?.kind !== 'json' || typeof keyArg.value !== 'string') {
    return invalidCall(`api.${method}: the key must be a string`);
  }
  const key = keyArg.value;
  if (method === 'cache.get') {
    const record = view.entries.get(key);
    return { ok: true, value: record && record.expires_at > view.now ? { ...record } : undefined };
  }
  if (method === 'cache.delete') {
    view.entries.delete(key);
    return { ok: true, value: { type: 'success' }, call: { method, key } };
  }
  if (valueArg?.kind !== 'json' || typeof valueArg.value !== 'string') {
    return invalidCall('api.cache.set: the value must be a string');
  }
  const value = valueArg.value;
  const expiresAt = readExpiry(optionsArg, view.now);
  if (expiresAt === undefined) {
    return invalidCall(
      'api.cache.set: options are { ttl } (milliseconds) or { expires_at } (epoch milliseconds)',
    );
  }
  const error = cacheWriteError(view.entries, key, value);
  if (error) return { ok: true, value: { type: 'error', code: error } };
  view.entries.set(key, { value, expires_at: expiresAt });
  return { ok: true, value: { type: 'success' }, call: { method, key, value, expiresAt } };
}

/** The entry's expiry: the default lifetime, a `ttl`, or an `expires_at` — never past the maximum. */
function readExpiry(arg: SandboxArgument | undefined, now: number): number | undefined {
  const latest = now + CACHE_MAX_TTL_MS;
  if (arg === undefined || arg.kind === 'undefined') return now + CACHE_DEFAULT_TTL_MS;
  if (arg.kind !== 'json' || !isJsonObject(arg.value)) return undefined;
  const { ttl, expires_at: at, ...unknown } = arg.value;
  if (Object.keys(unknown).length > 0) return undefined;
  if (ttl !== undefined && at !== undefined) return undefined;
  if (typeof ttl === 'number' && Number.isFinite(ttl) && ttl > 0)
    return Math.min(now + Math.floor(ttl), latest);
  if (typeof at === 'number' && Number.isFinite(at) && at > now) return Math.min(Math.floor(at), latest);
  if (ttl === undefined && at === undefined) return now + CACHE_DEFAULT_TTL_MS;
  return undefined;
}
