import type { RpSession } from './rp-session.ts';

/**
 * Server-side session storage, for sessions too large for cookies or that must be revocable. The
 * cookie then holds only an encrypted session id; the id is replaced at every sign-in.
 *
 * @example
 * ```ts
 * const redisStore: SessionStore = {
 *   async get(id) { const json = await redis.get(`session:${id}`); return json ? JSON.parse(json) : undefined; },
 *   async set(id, session, expiresAt) { await redis.set(`session:${id}`, JSON.stringify(session), 'EXAT', expiresAt); },
 *   async destroy(id) { await redis.del(`session:${id}`); },
 * };
 * ```
 */
export interface SessionStore {
  get(id: string): Promise<RpSession | undefined>;
  /** Stores `session` under `id` until `expiresAt` (seconds since the epoch). */
  set(id: string, session: RpSession, expiresAt: number): Promise<void>;
  destroy(id: string): Promise<void>;
}

/**
 * An in-memory {@link SessionStore} for one process (development, tests, a single node). Expired
 * sessions are dropped when read; past `maxEntries`, the oldest session is dropped.
 *
 * @example
 * ```ts
 * const rp = await createStepupRp({ ...options, sessionStore: createMemorySessionStore() });
 * ```
 */
export function createMemorySessionStore(
  options: { maxEntries?: number; clock?: () => number } = {},
): SessionStore {
  const maxEntries = options.maxEntries ?? 10_000;
  const clock = options.clock ?? (() => Math.floor(Date.now() / 1000));
  const sessions = new Map<string, { session: RpSession; expiresAt: number }>();
  return {
    async get(id) {
      const entry = sessions.get(id);
      if (!entry) return undefined;
      if (entry.expiresAt <= clock()) {
        sessions.delete(id);
        return undefined;
      }
      return structuredClone(entry.session);
    },
    async set(id, session, expiresAt) {
      if (!sessions.has(id) && sessions.size >= maxEntries) {
        const oldest = sessions.keys().next();
        if (!oldest.done) sessions.delete(oldest.value);
      }
      sessions.set(id, { session: structuredClone(session), expiresAt });
    },
    async destroy(id) {
      sessions.delete(id);
    },
  };
}
