import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { NewAuditEvent } from '../audit-events.ts';
import {
  type AddPushDeviceInput,
  type PushDevice,
  type PushDevicePublicKey,
  type PushDevicesRepository,
  pickWebPushSubscription,
  type WebPushSubscription,
} from '../push-devices.ts';
import { appendAuditEvent } from './append-audit-event.ts';
import type { SqlDatabase } from './sql-database.ts';
import { writeJson } from './sql-dialect.ts';
import type { PushDevicesTable } from './store-tables.ts';

const COLUMNS = ['id', 'user_id', 'name', 'public_key', 'created_at', 'last_used_at', 'revoked_at'] as const;

export class SqlPushDevicesRepository implements PushDevicesRepository {
  readonly #db: SqlDatabase;

  constructor(db: SqlDatabase) {
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
    await this.#db.kysely
      .insertInto('push_devices')
      .values({
        id: device.id,
        user_id: device.userId,
        name: device.name,
        public_key: writeJson(device.publicKey),
        created_at: device.createdAt,
        last_used_at: null,
        revoked_at: null,
        web_push_subscription: null,
      })
      .execute();
    return device;
  }

  async findById(id: string): Promise<PushDevice | undefined> {
    const row = await this.#db.kysely
      .selectFrom('push_devices')
      .select(COLUMNS)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && this.#toPushDevice(row);
  }

  async listForUser(userId: string): Promise<PushDevice[]> {
    const rows = await this.#db.kysely
      .selectFrom('push_devices')
      .select(COLUMNS)
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .orderBy(this.#db.dialect.insertionOrder)
      .execute();
    return rows.map((row) => this.#toPushDevice(row));
  }

  async markUsed(id: string, now: number): Promise<void> {
    await this.#db.kysely
      .updateTable('push_devices')
      .set({ last_used_at: now })
      .where('id', '=', id)
      .execute();
  }

  async rename(id: string, name: string): Promise<boolean> {
    const result = await this.#db.kysely
      .updateTable('push_devices')
      .set({ name })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async revoke(id: string, now: number, auditEvent?: NewAuditEvent): Promise<boolean> {
    return this.#db.kysely.transaction().execute(async (trx) => {
      const { numUpdatedRows } = await trx
        .updateTable('push_devices')
        .set({ revoked_at: now })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      if (numUpdatedRows !== 1n) return false;
      if (auditEvent) await appendAuditEvent(trx, auditEvent);
      return true;
    });
  }

  async setWebPushSubscription(id: string, subscription: WebPushSubscription | null): Promise<boolean> {
    const result = await this.#db.kysely
      .updateTable('push_devices')
      .set({ web_push_subscription: subscription && writeJson(pickWebPushSubscription(subscription)) })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async listWebPushSubscriptions(
    userId: string,
  ): Promise<{ deviceId: string; subscription: WebPushSubscription }[]> {
    const rows = await this.#db.kysely
      .selectFrom('push_devices')
      .select(['id', 'web_push_subscription'])
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .where('web_push_subscription', 'is not', null)
      .orderBy('created_at')
      .orderBy(this.#db.dialect.insertionOrder)
      .execute();
    return rows.map((row) => ({
      deviceId: row.id,
      // Written only through `setWebPushSubscription`.
      subscription: this.#db.dialect.readJson(row.web_push_subscription) as WebPushSubscription,
    }));
  }

  #toPushDevice(row: Pick<Selectable<PushDevicesTable>, (typeof COLUMNS)[number]>): PushDevice {
    return {
      id: row.id,
      userId: row.user_id,
      name: row.name,
      // Written only through `add`, from a key its caller validated.
      publicKey: this.#db.dialect.readJson(row.public_key) as PushDevicePublicKey,
      createdAt: row.created_at,
      lastUsedAt: row.last_used_at,
      revokedAt: row.revoked_at,
    };
  }
}
