/** State of one login interaction, stored as JSON; its shape belongs to the caller. */
export interface InteractionStatesRepository {
  /** Resolves undefined when there is no state or it expired at or before `now`. */
  find<T>(uid: string, now: number): Promise<T | undefined>;
  /** Creates or replaces the state; `expiresAt` is epoch seconds. */
  save(uid: string, state: unknown, expiresAt: number): Promise<void>;
  destroy(uid: string): Promise<void>;
}
