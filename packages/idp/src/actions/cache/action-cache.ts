import type { InteractionStatesRepository } from '../../store/interaction-states.ts';
import type { RecordedApiCall } from '../post-login-api.ts';
import { type CacheRecord, cacheWriteError } from './cache-limits.ts';

/** Entries of one Action, as stored. */
interface StoredCache {
  entries: Record<string, CacheRecord>;
}

function recordKey(actionName: string): string {
  return `action-cache:${actionName}`;
}

/**
 * `api.cache`: each Action's entries, kept as one short-lived record beside the interaction states.
 * That repository already sits where a best-effort cache belongs: in Redis when Redis is configured
 * (shared by every node, gone after its TTL), else in the durable store (SQLite or PostgreSQL, swept
 * when expired). One record per Action keeps a login to one read before the Action runs.
 *
 * Best-effort, as Auth0's cache is: two logins writing the same Action's cache at once may lose one
 * write (last writer wins), and a read or write that fails only leaves the cache empty or unchanged —
 * it never denies a login. An Action must not rely on it for security.
 */
export class ActionCache {
  readonly #records: InteractionStatesRepository;

  constructor(records: InteractionStatesRepository) {
    this.#records = records;
  }

  /** The Action's live entries at `now` (epoch ms). */
  async read(actionName: string, now: number): Promise<Record<string, CacheRecord>> {
    const stored = await this.#records.find<StoredCache>(recordKey(actionName), Math.floor(now / 1000));
    const live: Record<string, CacheRecord> = {};
    if (typeof stored?.entries !== 'object' || stored.entries === null) return live;
    for (const [key, record] of Object.entries(stored.entries)) {
      if (key === '__proto__' || typeof record?.value !== 'string' || typeof record.expires_at !== 'number')
        continue;
      if (record.expires_at > now) live[key] = { value: record.value, expires_at: record.expires_at };
    }
    return live;
  }

  /**
   * Writes an execution's `cache.set` / `cache.delete` calls over the entries stored now. A set that
   * no longer fits (another login filled the cache meanwhile) is dropped.
   */
  async write(actionName: string, calls: readonly RecordedApiCall[], now: number): Promise<void> {
    const writes = calls.filter((call) => call.method === 'cache.set' || call.method === 'cache.delete');
    if (writes.length === 0) return;
    const entries = new Map(Object.entries(await this.read(actionName, now)));
    for (const call of writes) {
      if (call.method === 'cache.delete') entries.delete(call.key);
      else if (call.method === 'cache.set' && !cacheWriteError(entries, call.key, call.value)) {
        entries.set(call.key, { value: call.value, expires_at: call.expiresAt });
      }
    }
    const key = recordKey(actionName);
    if (entries.size === 0) {
      await this.#records.destroy(key);
      return;
    }
    const latest = Math.max(...[...entries.values()].map((record) => record.expires_at));
    await this.#records.save(key, { entries: Object.fromEntries(entries) }, Math.ceil(latest / 1000));
  }
}
