import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import {
  type AddPushDeviceInput,
  type PushDevice,
  type PushDevicePublicKey,
  type PushDevicesRepository,
  pickWebPushSubscription,
  type WebPushSubscription,
} from '../push-devices.ts';
import { runSqlite } from './run-sqlite.ts';

interface PushDeviceRow {
  id: string;
  user_id: string;
  name: string;
  public_key: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

const COLUMNS = 'id, user_id, name, public_key, created_at, last_used_at, revoked_at';

export class SqlitePushDevicesRepository implements PushDevicesRepository {
  readonly #db: Database.Database;
  readonly #insert: Database.Statement<[Omit<PushDeviceRow, 'last_used_at' | 'revoked_at'>]>;
  readonly #findById: Database.Statement<[string], PushDeviceRow>;
  readonly #listForUser: Database.Statement<[string], PushDeviceRow>;
  readonly #markUsed: Database.Statement<[{ id: string; now: number }]>;
  readonly #revoke: Database.Statement<[{ id: string; now: number }]>;
  readonly #rename: Database.Statement<[{ id: string; name: string }]>;
  readonly #setWebPush: Database.Statement<[{ id: string; subscription: string | null }]>;
  readonly #listWebPush: Database.Statement<[string], { id: string; web_push_subscription: string }>;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#insert = db.prepare(
      `INSERT INTO push_devices (id, user_id, name, public_key, created_at)
       VALUES (@id, @user_id, @name, @public_key, @created_at)`,
    );
    this.#findById = db.prepare(`SELECT ${COLUMNS} FROM push_devices WHERE id = ?`);
    this.#listForUser = db.prepare(
      `SELECT ${COLUMNS} FROM push_devices WHERE user_id = ? ORDER BY created_at, rowid`,
    );
    this.#markUsed = db.prepare('UPDATE push_devices SET last_used_at = @now WHERE id = @id');
    this.#rename = db.prepare('UPDATE push_devices SET name = @name WHERE id = @id AND revoked_at IS NULL');
    this.#revoke = db.prepare(
      'UPDATE push_devices SET revoked_at = @now WHERE id = @id AND revoked_at IS NULL',
    );
    this.#setWebPush = db.prepare(
      `UPDATE push_devices SET web_push_subscription = @subscription
       WHERE id = @id AND revoked_at IS NULL`,
    );
    this.#listWebPush = db.prepare(
      `SELECT id, web_push_subscription FROM push_devices
       WHERE user_id = ? AND revoked_at IS NULL AND web_push_subscription IS NOT NULL
       ORDER BY created_at, rowid`,
    );
  }

  async add(input: AddPushDeviceInput): Promise<PushDevice> {
    const { kty, crv, x, y } = input.publicKey;
    const row = {
      id: randomUUID(),
      user_id: input.userId,
      name: input.name,
      public_key: JSON.stringify({ kty, crv, x, y }),
      created_at: input.now,
    };
    return runSqlite(this.#db, () => {
      this.#insert.run(row);
      return toPushDevice({ ...row, last_used_at: null, revoked_at: null });
    });
  }

  async findById(id: string): Promise<PushDevice | undefined> {
    return runSqlite(this.#db, () => {
      const row = this.#findById.get(id);
      return row === undefined ? undefined : toPushDevice(row);
    });
  }

  async listForUser(userId: string): Promise<PushDevice[]> {
    return runSqlite(this.#db, () => this.#listForUser.all(userId).map(toPushDevice));
  }

  async markUsed(id: string, now: number): Promise<void> {
    await runSqlite(this.#db, () => this.#markUsed.run({ id, now }));
  }

  async rename(id: string, name: string): Promise<boolean> {
    return runSqlite(this.#db, () => this.#rename.run({ id, name }).changes === 1);
  }

  async revoke(id: string, now: number): Promise<boolean> {
    return runSqlite(this.#db, () => this.#revoke.run({ id, now }).changes === 1);
  }

  async setWebPushSubscription(id: string, subscription: WebPushSubscription | null): Promise<boolean> {
    const json = subscription && JSON.stringify(pickWebPushSubscription(subscription));
    return runSqlite(this.#db, () => this.#setWebPush.run({ id, subscription: json }).changes === 1);
  }

  async listWebPushSubscriptions(
    userId: string,
  ): Promise<{ deviceId: string; subscription: WebPushSubscription }[]> {
    return runSqlite(this.#db, () =>
      this.#listWebPush.all(userId).map((row) => ({
        deviceId: row.id,
        // Written only through `setWebPushSubscription`.
        subscription: JSON.parse(row.web_push_subscription) as WebPushSubscription,
      })),
    );
  }
}

function toPushDevice(row: PushDeviceRow): PushDevice {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    // Written only through `add`, from a key its caller validated.
    publicKey: JSON.parse(row.public_key) as PushDevicePublicKey,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}
