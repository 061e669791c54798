import type { Kysely, Selectable } from 'kysely';
import { planActionDeploy } from '../action-deploy-plan.ts';
import { planActionOrder } from '../action-order.ts';
import type {
  ActionExecutionRecord,
  ActionsRepository,
  ActionTrigger,
  ActionVersion,
  DeployActionInput,
  DeployedAction,
  StoredAction,
} from '../actions.ts';
import type { NewAuditEvent } from '../audit-events.ts';
import { appendAuditEvent } from './append-audit-event.ts';
import type { SqlDatabase } from './sql-database.ts';
import { readBoolean, writeBoolean, writeJson } from './sql-dialect.ts';
import type { ActionExecutionsTable, ActionsTable, StoreTables } from './store-tables.ts';

const ACTION_COLUMNS = [
  'id',
  'name',
  'trigger',
  'enabled',
  'position',
  'version',
  'created_at',
  'updated_at',
] as const;

/** `ACTION_COLUMNS` of `actions as a`, joined with its current version. */
const JOINED_ACTION_COLUMNS = [
  'a.id',
  'a.name',
  'a.trigger',
  'a.enabled',
  'a.position',
  'a.version',
  'a.created_at',
  'a.updated_at',
] as const;

const EXECUTION_COLUMNS = [
  'action_id',
  'version',
  'started_at',
  'duration_ms',
  'outcome',
  'error_code',
  'error_detail',
  'logs',
  'calls',
  'user_id',
  'client_id',
] as const;

/**
 * Deploys and reorders take turns through this lock, across nodes: the version check and the new
 * position are then decided on what the previous one committed. The key the PostgreSQL store used
 * before, so nodes of the previous release take turns with these too.
 */
const ACTIONS_LOCK = 0x61_63_74_69_6f_6e;

type ActionRow = Selectable<ActionsTable>;
type DeployedRow = ActionRow & { code: string; secret_names: unknown; sealed_secrets: string | null };

/** `ActionsRepository` over either SQL engine. */
export class SqlActionsRepository implements ActionsRepository {
  readonly #db: SqlDatabase;

  constructor(db: SqlDatabase) {
    this.#db = db;
  }

  async deploy(
    input: DeployActionInput,
    auditEvents: readonly NewAuditEvent[] = [],
  ): Promise<DeployedAction> {
    return this.#db.kysely.transaction().execute(async (trx) => {
      await this.#db.dialect.takeTurns(trx, ACTIONS_LOCK);
      const existing = await this.#findDeployed(trx, input.name);
      const { id, version } = planActionDeploy(existing, input);
      if (existing) {
        await trx
          .updateTable('actions')
          .set({
            version,
            updated_at: input.now,
            ...(input.enabled === undefined ? {} : { enabled: writeBoolean(input.enabled) }),
          })
          .where('id', '=', id)
          .execute();
      } else {
        const last = await trx
          .selectFrom('actions')
          .select((eb) => eb.fn.max('position').as('position'))
          .where('trigger', '=', input.trigger)
          .executeTakeFirst();
        await trx
          .insertInto('actions')
          .values({
            id,
            name: input.name,
            trigger: input.trigger,
            enabled: writeBoolean(input.enabled ?? true),
            // New Actions go last in their trigger's order.
            position: (last?.position ?? 0) + 1,
            version,
            created_at: input.now,
            updated_at: input.now,
          })
          .execute();
      }
      await trx
        .insertInto('action_versions')
        .values({
          action_id: id,
          version,
          code: input.code,
          secret_names: writeJson(input.secretNames),
          sealed_secrets: input.sealedSecrets,
          created_at: input.now,
        })
        .execute();
      const deployed = await this.#findDeployed(trx, input.name);
      if (deployed === undefined) throw new Error(`Action "${input.name}" vanished while it was deployed`);
      for (const event of auditEvents) await appendAuditEvent(trx, event);
      return deployed;
    });
  }

  async find(name: string): Promise<DeployedAction | undefined> {
    return this.#findDeployed(this.#db.kysely, name);
  }

  async list(): Promise<StoredAction[]> {
    const rows = await this.#db.kysely
      .selectFrom('actions')
      .select(ACTION_COLUMNS)
      .orderBy('trigger')
      .orderBy('position')
      .orderBy(this.#db.dialect.inByteOrder('name'))
      .execute();
    return rows.map(toStored);
  }

  async listVersions(name: string): Promise<ActionVersion[]> {
    const rows = await this.#db.kysely
      .selectFrom('action_versions as v')
      .innerJoin('actions as a', 'a.id', 'v.action_id')
      .select(['v.version', 'v.code', 'v.secret_names', 'v.sealed_secrets', 'v.created_at'])
      .where('a.name', '=', name)
      .orderBy('v.version', 'desc')
      .execute();
    return rows.map((row) => ({
      version: row.version,
      code: row.code,
      secretNames: this.#db.dialect.readJson(row.secret_names) as string[],
      sealedSecrets: row.sealed_secrets,
      createdAt: row.created_at,
    }));
  }

  async listEnabled(trigger: ActionTrigger): Promise<DeployedAction[]> {
    const rows = await this.#selectDeployed(this.#db.kysely)
      .where('a.trigger', '=', trigger)
      .where('a.enabled', '=', writeBoolean(true))
      .orderBy('a.position')
      .orderBy(this.#db.dialect.inByteOrder('a.name'))
      .execute();
    return rows.map((row) => this.#toDeployed(row));
  }

  async setEnabled(
    name: string,
    enabled: boolean,
    now: number,
    auditEvents: readonly NewAuditEvent[] = [],
  ): Promise<boolean> {
    return this.#db.kysely.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('actions')
        .set({ enabled: writeBoolean(enabled), updated_at: now })
        .where('name', '=', name)
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) return false;
      for (const event of auditEvents) await appendAuditEvent(trx, event);
      return true;
    });
  }

  async remove(name: string, auditEvent?: (removed: StoredAction) => NewAuditEvent): Promise<boolean> {
    return this.#db.kysely.transaction().execute(async (trx) => {
      // Versions and executions go with it (ON DELETE CASCADE).
      const removed = await trx
        .deleteFrom('actions')
        .where('name', '=', name)
        .returning(ACTION_COLUMNS)
        .executeTakeFirst();
      if (removed === undefined) return false;
      if (auditEvent) await appendAuditEvent(trx, auditEvent(toStored(removed)));
      return true;
    });
  }

  async reorder(
    trigger: ActionTrigger,
    names: readonly string[],
    now: number,
    auditEvent?: NewAuditEvent,
  ): Promise<string[]> {
    return this.#db.kysely.transaction().execute(async (trx) => {
      await this.#db.dialect.takeTurns(trx, ACTIONS_LOCK);
      const current = await trx
        .selectFrom('actions')
        .select(ACTION_COLUMNS)
        .where('trigger', '=', trigger)
        .orderBy('position')
        .orderBy(this.#db.dialect.inByteOrder('name'))
        .execute();
      const { unknown, moves } = planActionOrder(current, names);
      if (unknown.length > 0) return unknown;
      for (const { row, position } of moves) {
        await trx
          .updateTable('actions')
          .set({ position, updated_at: now })
          .where('id', '=', row.id)
          .execute();
      }
      if (auditEvent) await appendAuditEvent(trx, auditEvent);
      return [];
    });
  }

  async recordExecution(record: ActionExecutionRecord, keep: number): Promise<void> {
    if (!Number.isInteger(keep) || keep < 1) throw new TypeError('recordExecution: keep must be at least 1');
    await this.#db.kysely.transaction().execute(async (trx) => {
      await trx
        .insertInto('action_executions')
        .values({
          action_id: record.actionId,
          version: record.version,
          started_at: record.startedAt,
          duration_ms: record.durationMs,
          outcome: record.outcome,
          error_code: record.errorCode,
          error_detail: record.errorDetail,
          logs: writeJson(record.logs),
          calls: writeJson(record.calls),
          user_id: record.userId,
          client_id: record.clientId,
        })
        .execute();
      // Everything older than the newest `keep` executions of the Action.
      await trx
        .deleteFrom('action_executions')
        .where('action_id', '=', record.actionId)
        .where('id', '<=', (eb) =>
          eb
            .selectFrom('action_executions')
            .select('id')
            .where('action_id', '=', record.actionId)
            .orderBy('id', 'desc')
            .limit(1)
            .offset(keep),
        )
        .execute();
    });
  }

  async listExecutions(actionId: string, limit: number): Promise<ActionExecutionRecord[]> {
    const rows = await this.#db.kysely
      .selectFrom('action_executions')
      .select(EXECUTION_COLUMNS)
      .where('action_id', '=', actionId)
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((row) => this.#toExecution(row));
  }

  #selectDeployed(db: Kysely<StoreTables>) {
    return db
      .selectFrom('actions as a')
      .innerJoin('action_versions as v', (join) =>
        join.onRef('v.action_id', '=', 'a.id').onRef('v.version', '=', 'a.version'),
      )
      .select([...JOINED_ACTION_COLUMNS, 'v.code', 'v.secret_names', 'v.sealed_secrets']);
  }

  async #findDeployed(db: Kysely<StoreTables>, name: string): Promise<DeployedAction | undefined> {
    const row = await this.#selectDeployed(db).where('a.name', '=', name).executeTakeFirst();
    return row && this.#toDeployed(row);
  }

  #toDeployed(row: DeployedRow): DeployedAction {
    return {
      ...toStored(row),
      code: row.code,
      secretNames: this.#db.dialect.readJson(row.secret_names) as string[],
      sealedSecrets: row.sealed_secrets,
    };
  }

  #toExecution(row: Pick<Selectable<ActionExecutionsTable>, (typeof EXECUTION_COLUMNS)[number]>) {
    return {
      actionId: row.action_id,
      version: row.version,
      startedAt: row.started_at,
      durationMs: row.duration_ms,
      outcome: row.outcome,
      errorCode: row.error_code,
      errorDetail: row.error_detail,
      logs: this.#db.dialect.readJson(row.logs) as string[],
      calls: this.#db.dialect.readJson(row.calls) as string[],
      userId: row.user_id,
      clientId: row.client_id,
    };
  }
}

function toStored(row: ActionRow): StoredAction {
  return {
    id: row.id,
    name: row.name,
    // The only trigger there is; `deploy` takes it typed.
    trigger: row.trigger as ActionTrigger,
    enabled: readBoolean(row.enabled),
    position: row.position,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
