import type { Selectable } from 'kysely';
import type { NewAuditEvent } from '../audit-events.ts';
import type {
  AddWebAuthnCredentialInput,
  WebAuthnCredential,
  WebAuthnCredentialsRepository,
} from '../webauthn-credentials.ts';
import { appendAuditEvent } from './append-audit-event.ts';
import type { SqlDatabase } from './sql-database.ts';
import { readBoolean, writeBoolean, writeJson } from './sql-dialect.ts';
import type { WebAuthnCredentialsTable } from './store-tables.ts';

const COLUMNS = [
  'id',
  'user_id',
  'public_key',
  'counter',
  'transports',
  'aaguid',
  'device_type',
  'backed_up',
  'attachment',
  'name',
  'created_at',
  'last_used_at',
] as const;

export class SqlWebAuthnCredentialsRepository implements WebAuthnCredentialsRepository {
  readonly #db: SqlDatabase;

  constructor(db: SqlDatabase) {
    this.#db = db;
  }

  async add(input: AddWebAuthnCredentialInput): Promise<WebAuthnCredential> {
    checkCounter(input.counter);
    const credential: WebAuthnCredential = {
      id: input.id,
      userId: input.userId,
      publicKey: new Uint8Array(input.publicKey),
      counter: input.counter,
      transports: [...input.transports],
      aaguid: input.aaguid,
      deviceType: input.deviceType,
      backedUp: input.backedUp,
      attachment: input.attachment,
      name: input.name,
      createdAt: input.now,
      lastUsedAt: null,
    };
    await this.#db.kysely
      .insertInto('webauthn_credentials')
      .values({
        id: credential.id,
        user_id: credential.userId,
        public_key: Buffer.from(credential.publicKey),
        counter: credential.counter,
        transports: writeJson(credential.transports),
        aaguid: credential.aaguid,
        device_type: credential.deviceType,
        backed_up: writeBoolean(credential.backedUp),
        attachment: credential.attachment,
        name: credential.name,
        created_at: credential.createdAt,
        last_used_at: null,
      })
      .execute();
    return credential;
  }

  async findById(id: string): Promise<WebAuthnCredential | undefined> {
    const row = await this.#db.kysely
      .selectFrom('webauthn_credentials')
      .select(COLUMNS)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && this.#toCredential(row);
  }

  async listForUser(userId: string): Promise<WebAuthnCredential[]> {
    const rows = await this.#db.kysely
      .selectFrom('webauthn_credentials')
      .select(COLUMNS)
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .orderBy(this.#db.dialect.insertionOrder)
      .execute();
    return rows.map((row) => this.#toCredential(row));
  }

  async recordUse(id: string, use: { counter: number; backedUp: boolean; now: number }): Promise<boolean> {
    checkCounter(use.counter);
    // One conditional UPDATE: the counter only moves forward (or stays 0, for an authenticator that
    // does not count), so of two assertions carrying the same counter (a cloned authenticator, or a
    // replay) at most one is ever accepted, on any node.
    const result = await this.#db.kysely
      .updateTable('webauthn_credentials')
      .set({ counter: use.counter, backed_up: writeBoolean(use.backedUp), last_used_at: use.now })
      .where('id', '=', id)
      .where('counter', use.counter === 0 ? '=' : '<', use.counter)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async rename(id: string, name: string): Promise<boolean> {
    const result = await this.#db.kysely
      .updateTable('webauthn_credentials')
      .set({ name })
      .where('id', '=', id)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async remove(id: string, auditEvent?: NewAuditEvent): Promise<boolean> {
    return this.#db.kysely.transaction().execute(async (trx) => {
      const { numDeletedRows } = await trx
        .deleteFrom('webauthn_credentials')
        .where('id', '=', id)
        .executeTakeFirst();
      if (numDeletedRows === 0n) return false;
      if (auditEvent) await appendAuditEvent(trx, auditEvent);
      return true;
    });
  }

  #toCredential(
    row: Pick<Selectable<WebAuthnCredentialsTable>, (typeof COLUMNS)[number]>,
  ): WebAuthnCredential {
    return {
      id: row.id,
      userId: row.user_id,
      publicKey: new Uint8Array(row.public_key),
      counter: row.counter,
      transports: this.#db.dialect.readJson(row.transports) as string[],
      aaguid: row.aaguid,
      deviceType: row.device_type,
      backedUp: readBoolean(row.backed_up),
      attachment: row.attachment,
      name: row.name,
      createdAt: row.created_at,
      lastUsedAt: row.last_used_at,
    };
  }
}

/** The signature counter is an unsigned 32-bit integer (WebAuthn Level 3 6.1). */
function checkCounter(counter: number): void {
  if (!Number.isInteger(counter) || counter < 0 || counter > 0xffff_ffff) {
    throw new TypeError(`WebAuthn signature counter must be an unsigned 32-bit integer, got ${counter}`);
  }
}
