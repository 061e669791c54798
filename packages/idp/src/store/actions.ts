import type { NewAuditEvent } from './audit-events.ts';

/** Where in the login an Action runs. Only `post-login` exists so far. */
export type ActionTrigger = 'post-login';

/** An Action as listed: everything but its code and secrets. Times are epoch seconds. */
export interface StoredAction {
  id: string;
  /** Unique; letters, digits, `.`, `_`, `-`. */
  name: string;
  trigger: ActionTrigger;
  enabled: boolean;
  /** Order within the trigger, from 1; Actions run in ascending order. */
  position: number;
  /** The current version, from 1; every deploy adds one. */
  version: number;
  createdAt: number;
  updatedAt: number;
}

/** One deployed version of an Action. */
export interface ActionVersion {
  version: number;
  code: string;
  /** The names of the secrets, in clear; their values only in `sealedSecrets`. */
  secretNames: string[];
  /** Opaque to the store: the caller seals the secrets (`SecretBox`) before deploy. Null: none. */
  sealedSecrets: string | null;
  createdAt: number;
}

/** An Action with its current version: what the engine runs. */
export type DeployedAction = StoredAction & Omit<ActionVersion, 'createdAt' | 'version'>;

/** One deploy as the store takes it: secrets already sealed. */
export interface DeployActionInput {
  name: string;
  trigger: ActionTrigger;
  code: string;
  secretNames: string[];
  sealedSecrets: string | null;
  /**
   * The version the caller built on: null to create a new Action, else its current version. Another
   * deploy in between makes this one a `StoreConflictError`, so no secret update is lost.
   */
  basedOn: number | null;
  /**
   * Whether the Action runs: for a new Action (default true; new Actions go last in their trigger's
   * order) and, when given, for an existing one too, in the same write as its new version.
   */
  enabled?: boolean;
  now: number;
}

/** One execution of an Action, as the execution log keeps it. */
export interface ActionExecutionRecord {
  actionId: string;
  version: number;
  /** Epoch milliseconds. */
  startedAt: number;
  durationMs: number;
  outcome: 'succeeded' | 'denied' | 'failed';
  errorCode: string | null;
  /** Private detail of a failure (already free of the Action's secrets). */
  errorDetail: string | null;
  logs: string[];
  /** One line per api call (names only, never claim or metadata values). */
  calls: string[];
  userId: string | null;
  clientId: string | null;
}

/**
 * Actions, their versions and their execution log. The changes an operator makes (deploy, switch,
 * removal, order) append the audit events they are given in the same transaction: when an event
 * cannot be written, the change is not made either.
 */
export interface ActionsRepository {
  /**
   * Creates the Action (version 1) or adds a version and makes it current, atomically, and appends
   * `auditEvents`. Rejects with `StoreConflictError` when `basedOn` is not the current version (or
   * the name exists and `basedOn` is null), and with `TypeError` when the trigger of an existing
   * Action would change.
   */
  deploy(input: DeployActionInput, auditEvents?: readonly NewAuditEvent[]): Promise<DeployedAction>;
  /** The Action with its current version. */
  find(name: string): Promise<DeployedAction | undefined>;
  /** Every Action, by trigger then position. */
  list(): Promise<StoredAction[]>;
  /** The versions of an Action, newest first. */
  listVersions(name: string): Promise<ActionVersion[]>;
  /** The enabled Actions of a trigger with their current versions, in the order they run. */
  listEnabled(trigger: ActionTrigger): Promise<DeployedAction[]>;
  /**
   * Switches the Action on or off and appends `auditEvents`. Resolves false, appending nothing, when
   * no Action has that name.
   */
  setEnabled(
    name: string,
    enabled: boolean,
    now: number,
    auditEvents?: readonly NewAuditEvent[],
  ): Promise<boolean>;
  /**
   * Deletes the Action with every version and its execution log, and appends `auditEvent(removed)`;
   * the others keep their order. Resolves false, appending nothing, when no Action has that name.
   */
  remove(name: string, auditEvent?: (removed: StoredAction) => NewAuditEvent): Promise<boolean>;
  /**
   * Puts `names` first, in that order; the trigger's other Actions follow in their previous order.
   * Appends `auditEvent`. Resolves with the names that are not Actions of the trigger, and then
   * changes and appends nothing.
   */
  reorder(
    trigger: ActionTrigger,
    names: readonly string[],
    now: number,
    auditEvent?: NewAuditEvent,
  ): Promise<string[]>;
  /** Appends to the execution log, keeping only the newest `keep` executions of that Action. */
  recordExecution(record: ActionExecutionRecord, keep: number): Promise<void>;
  /** The newest executions of an Action first. */
  listExecutions(actionId: string, limit: number): Promise<ActionExecutionRecord[]>;
}
