import type {
  ActionExecutionRecord,
  ActionsRepository,
  ActionTrigger,
  ActionVersion,
  DeployActionInput,
  DeployedAction,
  StoredAction,
} from './actions.ts';
import type { NewAuditEvent } from './audit-events.ts';

/**
 * The Actions repository with each trigger's enabled Actions kept in memory: every login and every
 * refresh asks for them, and operators change them rarely. A change written through this repository
 * is seen by the next read at once. A change written elsewhere (another node, the CLI) is seen once
 * `forget()` is called: the provider calls it when another node announces a change and at each
 * periodic check of the store (`ConfigChangeWatcher`).
 *
 * A failed read is not kept, so a login that cannot read the Actions still fails closed and the next
 * one asks the store again.
 */
export class CachedEnabledActions implements ActionsRepository {
  readonly #actions: ActionsRepository;
  /** The read of each trigger's enabled Actions, shared by the requests that ask while it runs. */
  readonly #enabled = new Map<ActionTrigger, Promise<readonly DeployedAction[]>>();

  constructor(actions: ActionsRepository) {
    this.#actions = actions;
  }

  /** Drops what is kept: the next read asks the store. A read already running answers its callers only. */
  forget(): void {
    this.#enabled.clear();
  }

  async listEnabled(trigger: ActionTrigger): Promise<DeployedAction[]> {
    let enabled = this.#enabled.get(trigger);
    if (enabled === undefined) {
      const read = this.#actions
        .listEnabled(trigger)
        .then((actions) => actions.map((action) => Object.freeze(action)));
      enabled = read;
      this.#enabled.set(trigger, read);
      read.catch(() => {
        if (this.#enabled.get(trigger) === read) this.#enabled.delete(trigger);
      });
    }
    // A new array each time: callers may slice or sort theirs; the Actions themselves are frozen.
    return [...(await enabled)];
  }

  async deploy(input: DeployActionInput, auditEvents?: readonly NewAuditEvent[]): Promise<DeployedAction> {
    try {
      return await this.#actions.deploy(input, auditEvents);
    } finally {
      this.forget();
    }
  }

  async setEnabled(
    name: string,
    enabled: boolean,
    now: number,
    auditEvents?: readonly NewAuditEvent[],
  ): Promise<boolean> {
    try {
      return await this.#actions.setEnabled(name, enabled, now, auditEvents);
    } finally {
      this.forget();
    }
  }

  async remove(name: string, auditEvent?: (removed: StoredAction) => NewAuditEvent): Promise<boolean> {
    try {
      return await this.#actions.remove(name, auditEvent);
    } finally {
      this.forget();
    }
  }

  async reorder(
    trigger: ActionTrigger,
    names: readonly string[],
    now: number,
    auditEvent?: NewAuditEvent,
  ): Promise<string[]> {
    try {
      return await this.#actions.reorder(trigger, names, now, auditEvent);
    } finally {
      this.forget();
    }
  }

  find(name: string): Promise<DeployedAction | undefined> {
    return this.#actions.find(name);
  }

  list(): Promise<StoredAction[]> {
    return this.#actions.list();
  }

  listVersions(name: string): Promise<ActionVersion[]> {
    return this.#actions.listVersions(name);
  }

  recordExecution(record: ActionExecutionRecord, keep: number): Promise<void> {
    return this.#actions.recordExecution(record, keep);
  }

  listExecutions(actionId: string, limit: number): Promise<ActionExecutionRecord[]> {
    return this.#actions.listExecutions(actionId, limit);
  }
}
