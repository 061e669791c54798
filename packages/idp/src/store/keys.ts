import type { NewAuditEvent } from './audit-events.ts';

/** Provider secrets (signing JWKS, cookie keys), stored as strings by name. Encryption keys never live here. */
export interface KeysRepository {
  /**
   * Resolves the stored value, creating it when absent. Insert-if-absent: when callers race, `create`
   * may run more than once but every caller resolves the one value that was stored.
   */
  getOrCreate(name: string, create: () => string | Promise<string>): Promise<string>;
  get(name: string): Promise<string | undefined>;
  set(name: string, value: string): Promise<void>;
  /** Removes the value; resolves whether there was one. */
  delete(name: string): Promise<boolean>;
  /**
   * Stores every entry, in order, and appends `auditEvent` when given, in one transaction: a reader
   * sees all of them or none, and a failed write leaves every value as it was.
   */
  setAll(
    entries: readonly (readonly [name: string, value: string])[],
    auditEvent?: NewAuditEvent,
  ): Promise<void>;
}
