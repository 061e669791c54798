import { randomUUID } from 'node:crypto';
import {
  type AddPushDeviceInput,
  type PushDevice,
  type PushDevicePublicKey,
  type PushDevicesRepository,
  pickWebPushSubscription,
  type WebPushSubscription,
} from '../push-devices.ts';
import type { PostgresQueryable } from './postgres-database.ts';

interface PushDeviceRow {
  id: string;
  user_id: string;
  name: string;
  public_key: PushDevicePublicKey;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

const COLUMNS = 'id, user_id, name, public_key, created_at, last_used_at, revoked_at';

export class PostgresPushDevicesRepository implements PushDevicesRepository {
  readonly #db: PostgresQueryable;

  constructor(db: PostgresQueryable) {
    this.#db = db;
  }

  async add(input: AddPushDeviceInput): Promise<PushDevice> {
    // Only the public members: a private `d` handed in by mistake is never stored.
    const { kty, crv, x, y } = input.publicKey;
    const device: PushDevice = {
      id: randomUUID(),
      userId: input.userId,
      name: input.name,
      publicKey: { kty, crv, x, y },
      createdAt: input.now,
      lastUsedAt: null,
      revokedAt: null,
    };
    await this.#db.query(
      'INSERT INTO push_devices (id, user_id, name, public_key, created_at) VALUES ($1, $2, $3, $4, $5)',
      [device.id, device.userId, device.name, JSON.stringify(device.publicKey), device.createdAt],
    );
    return device;
  }

  async findById(id: string): Promise<PushDevice | undefined> {
    const { rows } = await this.#db.query<PushDeviceRow>(
      `SELECT ${COLUMNS} FROM push_devices WHERE id = $1`,
      [id],
    );
    return rows[0] && toPushDevice(rows[0]);
  }

  async listForUser(userId: string): Promise<PushDevice[]> {
    const { rows } = await this.#db.query<PushDeviceRow>(
      `SELECT ${COLUMNS} FROM push_devices WHERE user_id = $1 ORDER BY created_at, seq`,
      [userId],
    );
    return rows.map(toPushDevice);
  }

  async markUsed(id: string, now: number): Promise<void> {
    await this.#db.query('UPDATE push_devices SET last_used_at = $2 WHERE id = $1', [id, now]);
  }

  async rename(id: string, name: string): Promise<boolean> {
    const { rowCount } = await this.#db.query(
      'UPDATE push_devices SET name = $2 WHERE id = $1 AND revoked_at IS NULL',
      [id, name],
    );
    return rowCount === 1;
  }

  async revoke(id: string, now: number): Promise<boolean> {
    const { rowCount } = await this.#db.query(
      'UPDATE push_devices SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL',
      [id, now],
    );
    return rowCount === 1;
  }

  async setWebPushSubscription(id: string, subscription: WebPushSubscription | null): Promise<boolean> {
    const { rowCount } = await this.#db.query(
      'UPDATE push_devices SET web_push_subscription = $2 WHERE id = $1 AND revoked_at IS NULL',
      [id, subscription && JSON.stringify(pickWebPushSubscription(subscription))],
    );
    return rowCount === 1;
  }

  async listWebPushSubscriptions(
    userId: string,
  ): Promise<{ deviceId: string; subscription: WebPushSubscription }[]> {
    const { rows } = await this.#db.query<{ id: string; web_push_subscription: WebPushSubscription }>(
      `SELECT id, web_push_subscription FROM push_devices
       WHERE user_id = $1 AND revoked_at IS NULL AND web_push_subscription IS NOT NULL
       ORDER BY created_at, seq`,
      [userId],
    );
    return rows.map((row) => ({ deviceId: row.id, subscription: row.web_push_subscription }));
  }
}

function toPushDevice(row: PushDeviceRow): PushDevice {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    // Written only through `add`, from a key its caller validated.
    publicKey: row.public_key,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}
