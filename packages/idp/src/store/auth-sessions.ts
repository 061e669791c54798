import type { ProvenMethod } from '@stepup/core';

/** The authentication methods one browser session has proven, keyed by oidc-provider's session uid. */
export interface AuthSessionRecord {
  sessionUid: string;
  accountId: string;
  methods: ProvenMethod[];
}

export interface AuthSessionsRepository {
  /** Resolves undefined when there is no record or it expired at or before `now`. */
  find(sessionUid: string, now: number): Promise<AuthSessionRecord | undefined>;
  /** Creates or replaces the record; `expiresAt` is epoch seconds. */
  save(record: AuthSessionRecord, expiresAt: number): Promise<void>;
  destroy(sessionUid: string): Promise<void>;
}
