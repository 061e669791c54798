/** Whether what an audit event records went through or was refused. */
export type AuditOutcome = 'success' | 'failure';

/** Who made an administrative change: a person signed in to the dashboard, or a machine client. */
export interface AuditActor {
  type: 'user' | 'client';
  id: string;
}

/** One authentication or administrative event, as stored. Never carries a credential. */
export interface AuditEvent {
  id: string;
  /** Epoch seconds, from the provider's clock. */
  time: number;
  /** Dotted name, e.g. `login.succeeded`, `push.denied`, `admin.user.deleted`. */
  type: string;
  outcome: AuditOutcome;
  userId?: string;
  clientId?: string;
  ip?: string;
  actor?: AuditActor;
  details: Record<string, unknown>;
}

export type NewAuditEvent = Omit<AuditEvent, 'id'>;

/** Which events a query or an export returns; every given field must match. */
export interface AuditEventFilter {
  /** An exact type, or a prefix ending in `.*` (`push.*` matches `push.sent` and `push.denied`). */
  type?: string;
  userId?: string;
  clientId?: string;
  outcome?: AuditOutcome;
  /** Epoch seconds, inclusive. */
  from?: number;
  /** Epoch seconds, exclusive. */
  to?: number;
}

export interface AuditEventPage {
  /** Newest first. */
  events: AuditEvent[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

/**
 * The audit log: append-only apart from the retention sweep. Events are ordered by when they were
 * appended; a cursor is a position in that order, so paging is stable while events keep arriving.
 */
export interface AuditEventsRepository {
  append(event: NewAuditEvent): Promise<AuditEvent>;
  /**
   * One page of matching events, newest first. `cursor` is a `nextCursor` this repository returned;
   * anything else is a `TypeError` (check it first with `isAuditCursor`).
   */
  query(filter: AuditEventFilter, page: { limit: number; cursor?: string }): Promise<AuditEventPage>;
  /** Every matching event, oldest first, read in batches so the log never sits in memory at once. */
  export(filter: AuditEventFilter): AsyncIterable<AuditEvent>;
  /** Deletes events older than `time` (epoch seconds); returns how many. */
  deleteOlderThan(time: number): Promise<number>;
}

/**
 * Cursors are the decimal position of the last event of a page (every backend keeps an increasing
 * sequence number), so an API can refuse a malformed one before asking the store.
 */
export function isAuditCursor(value: string): boolean {
  return /^[1-9][0-9]{0,15}$/.test(value);
}
