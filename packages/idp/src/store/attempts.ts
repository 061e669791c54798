import type { NewAuditEvent } from './audit-events.ts';

export interface AttemptWindow {
  count: number;
  /** Epoch seconds at which this window ends and the count starts again from zero. */
  resetAt: number;
}

/** Fixed-window counters for throttling. */
export interface AttemptsRepository {
  /** Atomically counts one attempt; a new window of `windowSeconds` starts once the old one has ended. */
  increment(key: string, windowSeconds: number, now: number): Promise<AttemptWindow>;
  /** The current window, or undefined when there is none or it has ended. */
  peek(key: string, now: number): Promise<AttemptWindow | undefined>;
  /**
   * Atomically takes back one attempt of the current window (never below zero): for an attempt that
   * was counted before it was checked and then turned out not to count (refused, or a success).
   */
  refund(key: string, now: number): Promise<void>;
  reset(key: string): Promise<void>;
}

/** The durable counters of consecutive failures, which an operator may clear with a record of it. */
export interface FailureCountersRepository extends AttemptsRepository {
  /** Removes the counters of `keys`, and appends `auditEvent` with them in one transaction when given. */
  resetAll(keys: readonly string[], auditEvent?: NewAuditEvent): Promise<void>;
}

/** The SQL tables of counters: short-lived throttling windows, and durable failure counters. */
export type CounterTable = 'attempts' | 'failure_counters';
