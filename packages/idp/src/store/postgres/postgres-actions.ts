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
import type { PostgresDatabase, PostgresQueryable } from './postgres-database.ts';

interface ActionRow {
  id: string;
  name: string;
  trigger: string;
  enabled: boolean;
  position: number;
  version: number;
  created_at: number;
  updated_at: number;
}

interface VersionRow {
  version: number;
  code: string;
  secret_names: string[];
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
  logs: string[];
  calls: string[];
  user_id: string | null;
  client_id: string | null;
}

const ACTION_COLUMNS =
  'a.id, a.name, a.trigger, a.enabled, a.position, a.version, a.created_at, a.updated_at';
const DEPLOYED = `SELECT ${ACTION_COLUMNS}, v.code, v.secret_names, v.sealed_secrets
  FROM actions a JOIN action_versions v ON v.action_id = a.id AND v.version = a.version`;
const EXECUTION_COLUMNS =
  'action_id, version, started_at, duration_ms, outcome, error_code, error_detail, logs, calls, user_id, client_id';

/**
 * Deploys and reorders take turns through this transaction-level advisory lock, across nodes: the
 * version check and the new position are then decided on what the previous one committed.
 */
const ACTIONS_LOCK_KEY = 0x61_63_74_69_6f_6e;

/** `ActionsRepository` over the PostgreSQL store. */
export class PostgresActionsRepository implements ActionsRepository {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  async deploy(input: DeployActionInput): Promise<DeployedAction> {
    return this.#db.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [ACTIONS_LOCK_KEY]);
      const existing = await findDeployed(client, input.name);
      const { id, version } = planActionDeploy(existing, input);
      if (existing) {
        await client.query(
          'UPDATE actions SET version = $2, updated_at = $3, enabled = COALESCE($4, enabled) WHERE id = $1',
          [id, version, input.now, input.enabled ?? null],
        );
      } else {
        await client.query(
          `INSERT INTO actions (id, name, trigger, enabled, position, version, created_at, updated_at)
           SELECT $1, $2, $3, $4, COALESCE(MAX(position), 0) + 1, $5, $6, $6 FROM actions WHERE trigger = $3`,
          [id, input.name, input.trigger, input.enabled ?? true, version, input.now],
        );
      }
      await client.query(
        `INSERT INTO action_versions (action_id, version, code, secret_names, sealed_secrets, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [id, version, input.code, JSON.stringify(input.secretNames), input.sealedSecrets, input.now],
      );
      const deployed = await findDeployed(client, input.name);
      if (deployed === undefined) throw new Error(`Action "${input.name}" vanished while it was deployed`);
      return deployed;
    });
  }

  async find(name: string): Promise<DeployedAction | undefined> {
    return findDeployed(this.#db, name);
  }

  async list(): Promise<StoredAction[]> {
    const { rows } = await this.#db.query<ActionRow>(
      `SELECT ${ACTION_COLUMNS} FROM actions a ORDER BY a.trigger, a.position, a.name COLLATE "C"`,
    );
    return rows.map(toStored);
  }

  async listVersions(name: string): Promise<ActionVersion[]> {
    const { rows } = await this.#db.query<VersionRow>(
      `SELECT v.version, v.code, v.secret_names, v.sealed_secrets, v.created_at
       FROM action_versions v JOIN actions a ON a.id = v.action_id WHERE a.name = $1 ORDER BY v.version DESC`,
      [name],
    );
    return rows.map((row) => ({
      version: row.version,
      code: row.code,
      secretNames: row.secret_names,
      sealedSecrets: row.sealed_secrets,
      createdAt: row.created_at,
    }));
  }

  async listEnabled(trigger: ActionTrigger): Promise<DeployedAction[]> {
    const { rows } = await this.#db.query<DeployedRow>(
      `${DEPLOYED} WHERE a.trigger = $1 AND a.enabled ORDER BY a.position, a.name COLLATE "C"`,
      [trigger],
    );
    return rows.map(toDeployed);
  }

  async setEnabled(name: string, enabled: boolean, now: number): Promise<boolean> {
    const { rowCount } = await this.#db.query(
      'UPDATE actions SET enabled = $2, updated_at = $3 WHERE name = $1',
      [name, enabled, now],
    );
    return rowCount > 0;
  }

  async remove(name: string): Promise<boolean> {
    // Versions and executions go with it (ON DELETE CASCADE).
    const { rowCount } = await this.#db.query('DELETE FROM actions WHERE name = $1', [name]);
    return rowCount > 0;
  }

  async reorder(trigger: ActionTrigger, names: readonly string[], now: number): Promise<string[]> {
    return this.#db.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [ACTIONS_LOCK_KEY]);
      const { rows: current } = await client.query<ActionRow>(
        `SELECT ${ACTION_COLUMNS} FROM actions a WHERE a.trigger = $1 ORDER BY a.position, a.name COLLATE "C"`,
        [trigger],
      );
      const { unknown, moves } = planActionOrder(current, names);
      for (const { row, position } of moves) {
        await client.query('UPDATE actions SET position = $2, updated_at = $3 WHERE id = $1', [
          row.id,
          position,
          now,
        ]);
      }
      return unknown;
    });
  }

  async recordExecution(record: ActionExecutionRecord, keep: number): Promise<void> {
    if (!Number.isInteger(keep) || keep < 1) throw new TypeError('recordExecution: keep must be at least 1');
    await this.#db.transaction(async (client) => {
      await client.query(
        `INSERT INTO action_executions (${EXECUTION_COLUMNS})
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [
          record.actionId,
          record.version,
          record.startedAt,
          record.durationMs,
          record.outcome,
          record.errorCode,
          record.errorDetail,
          JSON.stringify(record.logs),
          JSON.stringify(record.calls),
          record.userId,
          record.clientId,
        ],
      );
      // Everything older than the newest `keep` executions of the Action.
      await client.query(
        `DELETE FROM action_executions WHERE action_id = $1 AND id <= (
           SELECT id FROM action_executions WHERE action_id = $1 ORDER BY id DESC LIMIT 1 OFFSET $2)`,
        [record.actionId, keep],
      );
    });
  }

  async listExecutions(actionId: string, limit: number): Promise<ActionExecutionRecord[]> {
    const { rows } = await this.#db.query<ExecutionRow>(
      `SELECT ${EXECUTION_COLUMNS} FROM action_executions WHERE action_id = $1 ORDER BY id DESC LIMIT $2`,
      [actionId, limit],
    );
    return rows.map((row) => ({
      actionId: row.action_id,
      version: row.version,
      startedAt: row.started_at,
      durationMs: row.duration_ms,
      outcome: row.outcome,
      errorCode: row.error_code,
      errorDetail: row.error_detail,
      logs: row.logs,
      calls: row.calls,
      userId: row.user_id,
      clientId: row.client_id,
    }));
  }
}

async function findDeployed(db: PostgresQueryable, name: string): Promise<DeployedAction | undefined> {
  const { rows } = await db.query<DeployedRow>(`${DEPLOYED} WHERE a.name = $1`, [name]);
  return rows[0] && toDeployed(rows[0]);
}

function toStored(row: ActionRow): StoredAction {
  return {
    id: row.id,
    name: row.name,
    trigger: row.trigger as ActionTrigger,
    enabled: row.enabled,
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
    secretNames: row.secret_names,
    sealedSecrets: row.sealed_secrets,
  };
}
