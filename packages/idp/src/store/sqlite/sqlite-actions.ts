import type Database from 'better-sqlite3';
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
import { runSqlite } from './run-sqlite.ts';

interface ActionRow {
  id: string;
  name: string;
  trigger: string;
  enabled: number;
  position: number;
  version: number;
  created_at: number;
  updated_at: number;
}

interface VersionRow {
  version: number;
  code: string;
  secret_names: string;
  sealed_secrets: string | null;
  created_at: number;
}

type DeployedRow = ActionRow & Omit<VersionRow, 'created_at' | 'version'>;

interface ExecutionRow {
  action_id: string;
  version: number;
  started_at: number;
  duration_ms: number;
  outcome: ActionExecutionRecord['outcome'];
  error_code: string | null;
  error_detail: string | null;
  logs: string;
  calls: string;
  user_id: string | null;
  client_id: string | null;
}

const ACTION_COLUMNS =
  'a.id, a.name, a.trigger, a.enabled, a.position, a.version, a.created_at, a.updated_at';
const DEPLOYED = `SELECT ${ACTION_COLUMNS}, v.code, v.secret_names, v.sealed_secrets
  FROM actions a JOIN action_versions v ON v.action_id = a.id AND v.version = a.version`;

/** `ActionsRepository` over the SQLite store. */
export class SqliteActionsRepository implements ActionsRepository {
  readonly #db: Database.Database;
  readonly #findByName: Database.Statement<[string], DeployedRow>;
  readonly #list: Database.Statement<[], ActionRow>;
  readonly #listByTrigger: Database.Statement<[string], ActionRow>;
  readonly #listEnabled: Database.Statement<[string], DeployedRow>;
  readonly #listVersions: Database.Statement<[string], VersionRow>;
  readonly #insertAction: Database.Statement<[ActionRow]>;
  readonly #insertVersion: Database.Statement<[VersionRow & { action_id: string }]>;
  readonly #bumpVersion: Database.Statement<[number, number, number | null, string]>;
  readonly #nextPosition: Database.Statement<[string], number>;
  readonly #setEnabled: Database.Statement<[number, number, string]>;
  readonly #remove: Database.Statement<[string]>;
  readonly #setPosition: Database.Statement<[number, number, string]>;
  readonly #insertExecution: Database.Statement<[ExecutionRow]>;
  readonly #pruneExecutions: Database.Statement<[string, string, number]>;
  readonly #listExecutions: Database.Statement<[string, number], ExecutionRow>;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#findByName = db.prepare(`${DEPLOYED} WHERE a.name = ?`);
    this.#list = db.prepare(`SELECT ${ACTION_COLUMNS} FROM actions a ORDER BY a.trigger, a.position, a.name`);
    this.#listByTrigger = db.prepare(
      `SELECT ${ACTION_COLUMNS} FROM actions a WHERE a.trigger = ? ORDER BY a.position, a.name`,
    );
    this.#listEnabled = db.prepare(
      `${DEPLOYED} WHERE a.trigger = ? AND a.enabled = 1 ORDER BY a.position, a.name`,
    );
    this.#listVersions = db.prepare(
      `SELECT v.version, v.code, v.secret_names, v.sealed_secrets, v.created_at
       FROM action_versions v JOIN actions a ON a.id = v.action_id WHERE a.name = ? ORDER BY v.version DESC`,
    );
    this.#insertAction = db.prepare(
      `INSERT INTO actions (id, name, trigger, enabled, position, version, created_at, updated_at)
       VALUES (@id, @name, @trigger, @enabled, @position, @version, @created_at, @updated_at)`,
    );
    this.#insertVersion = db.prepare(
      `INSERT INTO action_versions (action_id, version, code, secret_names, sealed_secrets, created_at)
       VALUES (@action_id, @version, @code, @secret_names, @sealed_secrets, @created_at)`,
    );
    this.#bumpVersion = db.prepare(
      'UPDATE actions SET version = ?, updated_at = ?, enabled = COALESCE(?, enabled) WHERE id = ?',
    );
    this.#nextPosition = db
      .prepare<[string], number>('SELECT COALESCE(MAX(position), 0) + 1 FROM actions WHERE trigger = ?')
      .pluck();
    this.#setEnabled = db.prepare('UPDATE actions SET enabled = ?, updated_at = ? WHERE name = ?');
    // Versions and executions go with it (ON DELETE CASCADE).
    this.#remove = db.prepare('DELETE FROM actions WHERE name = ?');
    this.#setPosition = db.prepare('UPDATE actions SET position = ?, updated_at = ? WHERE id = ?');
    this.#insertExecution = db.prepare(
      `INSERT INTO action_executions (action_id, version, started_at, duration_ms, outcome, error_code,
         error_detail, logs, calls, user_id, client_id)
       VALUES (@action_id, @version, @started_at, @duration_ms, @outcome, @error_code, @error_detail, @logs,
         @calls, @user_id, @client_id)`,
    );
    // Everything older than the newest `keep` executions of the Action.
    this.#pruneExecutions = db.prepare(
      `DELETE FROM action_executions WHERE action_id = ? AND id <= (
         SELECT id FROM action_executions WHERE action_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`,
    );
    this.#listExecutions = db.prepare(
      `SELECT action_id, version, started_at, duration_ms, outcome, error_code, error_detail, logs, calls,
         user_id, client_id
       FROM action_executions WHERE action_id = ? ORDER BY id DESC LIMIT ?`,
    );
  }

  async deploy(input: DeployActionInput): Promise<DeployedAction> {
    return runSqlite(this.#db, () =>
      this.#db
        .transaction(() => {
          const existing = this.#findByName.get(input.name);
          const { id, version } = planActionDeploy(existing, input);
          if (existing) {
            this.#bumpVersion.run(
              version,
              input.now,
              input.enabled === undefined ? null : input.enabled ? 1 : 0,
              id,
            );
          } else {
            this.#insertAction.run({
              id,
              name: input.name,
              trigger: input.trigger,
              enabled: input.enabled === false ? 0 : 1,
              position: this.#nextPosition.get(input.trigger) ?? 1,
              version,
              created_at: input.now,
              updated_at: input.now,
            });
          }
          this.#insertVersion.run({
            action_id: id,
            version,
            code: input.code,
            secret_names: JSON.stringify(input.secretNames),
            sealed_secrets: input.sealedSecrets,
            created_at: input.now,
          });
          return toDeployed(this.#findByName.get(input.name) as DeployedRow);
        })
        .immediate(),
    );
  }

  async find(name: string): Promise<DeployedAction | undefined> {
    return runSqlite(this.#db, () => {
      const row = this.#findByName.get(name);
      return row && toDeployed(row);
    });
  }

  async list(): Promise<StoredAction[]> {
    return runSqlite(this.#db, () => this.#list.all().map(toStored));
  }

  async listVersions(name: string): Promise<ActionVersion[]> {
    return runSqlite(this.#db, () =>
      this.#listVersions.all(name).map((row) => ({
        version: row.version,
        code: row.code,
        secretNames: JSON.parse(row.secret_names) as string[],
        sealedSecrets: row.sealed_secrets,
        createdAt: row.created_at,
      })),
    );
  }

  async listEnabled(trigger: ActionTrigger): Promise<DeployedAction[]> {
    return runSqlite(this.#db, () => this.#listEnabled.all(trigger).map(toDeployed));
  }

  async setEnabled(name: string, enabled: boolean, now: number): Promise<boolean> {
    return runSqlite(this.#db, () => this.#setEnabled.run(enabled ? 1 : 0, now, name).changes > 0);
  }

  async remove(name: string): Promise<boolean> {
    return runSqlite(this.#db, () => this.#remove.run(name).changes > 0);
  }

  async reorder(trigger: ActionTrigger, names: readonly string[], now: number): Promise<string[]> {
    return runSqlite(this.#db, () =>
      this.#db
        .transaction(() => {
          const current = this.#listByTrigger.all(trigger);
          const { unknown, moves } = planActionOrder(current, names);
          for (const { row, position } of moves) this.#setPosition.run(position, now, row.id);
          return unknown;
        })
        .immediate(),
    );
  }

  async recordExecution(record: ActionExecutionRecord, keep: number): Promise<void> {
    if (!Number.isInteger(keep) || keep < 1) throw new TypeError('recordExecution: keep must be at least 1');
    await runSqlite(this.#db, () =>
      this.#db.transaction(() => {
        this.#insertExecution.run({
          action_id: record.actionId,
          version: record.version,
          started_at: record.startedAt,
          duration_ms: record.durationMs,
          outcome: record.outcome,
          error_code: record.errorCode,
          error_detail: record.errorDetail,
          logs: JSON.stringify(record.logs),
          calls: JSON.stringify(record.calls),
          user_id: record.userId,
          client_id: record.clientId,
        });
        this.#pruneExecutions.run(record.actionId, record.actionId, keep);
      })(),
    );
  }

  async listExecutions(actionId: string, limit: number): Promise<ActionExecutionRecord[]> {
    return runSqlite(this.#db, () =>
      this.#listExecutions.all(actionId, limit).map((row) => ({
        actionId: row.action_id,
        version: row.version,
        startedAt: row.started_at,
        durationMs: row.duration_ms,
        outcome: row.outcome,
        errorCode: row.error_code,
        errorDetail: row.error_detail,
        logs: JSON.parse(row.logs) as string[],
        calls: JSON.parse(row.calls) as string[],
        userId: row.user_id,
        clientId: row.client_id,
      })),
    );
  }
}

function toStored(row: ActionRow): StoredAction {
  return {
    id: row.id,
    name: row.name,
    trigger: row.trigger as ActionTrigger,
    enabled: row.enabled === 1,
    position: row.position,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toDeployed(row: DeployedRow): DeployedAction {
  return {
    ...toStored(row),
    code: row.code,
    secretNames: JSON.parse(row.secret_names) as string[],
    sealedSecrets: row.sealed_secrets,
  };
}
