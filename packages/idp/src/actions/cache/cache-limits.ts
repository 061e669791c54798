/**
 * The limits of `api.cache`, per Action, as Auth0 documents them for its own cache: entries live 15
 * minutes unless told otherwise and never more than a day; a key has at most 64 bytes, a value 4 KB;
 * an Action keeps at most 20 entries and 8 KB of keys and values together.
 */
export const CACHE_DEFAULT_TTL_MS = 15 * 60 * 1000;
export const CACHE_MAX_TTL_MS = 24 * 3600 * 1000;
export const CACHE_MAX_KEY_BYTES = 64;
export const CACHE_MAX_VALUE_BYTES = 4096;
export const CACHE_MAX_ENTRIES = 20;
export const CACHE_MAX_TOTAL_BYTES = 8192;

/** One cached value as `api.cache.get` returns it: `expires_at` in epoch milliseconds. */
export interface CacheRecord {
  value: string;
  expires_at: number;
}

/** Why a write does not fit, as the `code` of `{ type: 'error' }`; undefined when it fits. */
export type CacheWriteError = 'key_too_long' | 'value_too_long' | 'cache_full' | 'cache_too_large';

/** Bytes an Action's entries take: keys and values, as UTF-8. */
export function cacheBytes(entries: ReadonlyMap<string, CacheRecord>): number {
  let bytes = 0;
  for (const [key, record] of entries) bytes += Buffer.byteLength(key) + Buffer.byteLength(record.value);
  return bytes;
}

/** Whether `key` = `value` fits beside `entries` (which may already hold `key`). */
export function cacheWriteError(
  entries: ReadonlyMap<string, CacheRecord>,
  key: string,
  value: string,
): CacheWriteError | undefined {
  if (key === '' || Buffer.byteLength(key) > CACHE_MAX_KEY_BYTES) return 'key_too_long';
  if (Buffer.byteLength(value) > CACHE_MAX_VALUE_BYTES) return 'value_too_long';
  const others = new Map(entries);
  others.delete(key);
  if (others.size >= CACHE_MAX_ENTRIES) return 'cache_full';
  if (cacheBytes(others) + Buffer.byteLength(key) + Buffer.byteLength(value) > CACHE_MAX_TOTAL_BYTES) {
    return 'cache_too_large';
  }
  return undefined;
}
