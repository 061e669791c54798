import type Database from 'better-sqlite3';
import type {
  AddWebAuthnCredentialInput,
  WebAuthnAttachment,
  WebAuthnCredential,
  WebAuthnCredentialsRepository,
  WebAuthnDeviceType,
} from '../webauthn-credentials.ts';
import { runSqlite } from './run-sqlite.ts';

interface CredentialRow {
  id: string;
  user_id: string;
  public_key: Buffer;
  counter: number;
  transports: string;
  aaguid: string;
  device_type: string;
  backed_up: number;
  attachment: string | null;
  name: string;
  created_at: number;
  last_used_at: number | null;
}

const COLUMNS =
  'id, user_id, public_key, counter, transports, aaguid, device_type, backed_up, attachment, name, created_at, last_used_at';

export class SqliteWebAuthnCredentialsRepository implements WebAuthnCredentialsRepository {
  readonly #db: Database.Database;
  readonly #insert: Database.Statement<[CredentialRow]>;
  readonly #findById: Database.Statement<[string], CredentialRow>;
  readonly #listForUser: Database.Statement<[string], CredentialRow>;
  readonly #recordUse: Database.Statement<[{ id: string; counter: number; backed_up: number; now: number }]>;
  readonly #rename: Database.Statement<[string, string]>;
  readonly #remove: Database.Statement<[string]>;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#insert = db.prepare(
      `INSERT INTO webauthn_credentials (${COLUMNS})
       VALUES (@id, @user_id, @public_key, @counter, @transports, @aaguid, @device_type, @backed_up,
               @attachment, @name, @created_at, @last_used_at)`,
    );
    this.#findById = db.prepare(`SELECT ${COLUMNS} FROM webauthn_credentials WHERE id = ?`);
    this.#listForUser = db.prepare(
      `SELECT ${COLUMNS} FROM webauthn_credentials WHERE user_id = ? ORDER BY created_at, rowid`,
    );
    // One conditional UPDATE: the counter only moves forward, so of two assertions carrying the same
    // counter (a cloned authenticator, or a replay) at most one is ever accepted.
    this.#recordUse = db.prepare(
      `UPDATE webauthn_credentials SET counter = @counter, backed_up = @backed_up, last_used_at = @now
       WHERE id = @id AND (counter < @counter OR (counter = 0 AND @counter = 0))`,
    );
    this.#rename = db.prepare('UPDATE webauthn_credentials SET name = ? WHERE id = ?');
    this.#remove = db.prepare('DELETE FROM webauthn_credentials WHERE id = ?');
  }

  async add(input: AddWebAuthnCredentialInput): Promise<WebAuthnCredential> {
    checkCounter(input.counter);
    const row: CredentialRow = {
      id: input.id,
      user_id: input.userId,
      public_key: Buffer.from(input.publicKey),
      counter: input.counter,
      transports: JSON.stringify(input.transports),
      aaguid: input.aaguid,
      device_type: input.deviceType,
      backed_up: input.backedUp ? 1 : 0,
      attachment: input.attachment,
      name: input.name,
      created_at: input.now,
      last_used_at: null,
    };
    return runSqlite(this.#db, () => {
      this.#insert.run(row);
      return toCredential(row);
    });
  }

  async findById(id: string): Promise<WebAuthnCredential | undefined> {
    return runSqlite(this.#db, () => {
      const row = this.#findById.get(id);
      return row === undefined ? undefined : toCredential(row);
    });
  }

  async listForUser(userId: string): Promise<WebAuthnCredential[]> {
    return runSqlite(this.#db, () => this.#listForUser.all(userId).map(toCredential));
  }

  async recordUse(id: string, use: { counter: number; backedUp: boolean; now: number }): Promise<boolean> {
    checkCounter(use.counter);
    return runSqlite(
      this.#db,
      () =>
        this.#recordUse.run({ id, counter: use.counter, backed_up: use.backedUp ? 1 : 0, now: use.now })
          .changes === 1,
    );
  }

  async rename(id: string, name: string): Promise<boolean> {
    return runSqlite(this.#db, () => this.#rename.run(name, id).changes > 0);
  }

  async remove(id: string): Promise<boolean> {
    return runSqlite(this.#db, () => this.#remove.run(id).changes > 0);
  }
}

/** The signature counter is an unsigned 32-bit integer (WebAuthn Level 3 6.1). */
function checkCounter(counter: number): void {
  if (!Number.isInteger(counter) || counter < 0 || counter > 0xffff_ffff) {
    throw new TypeError(`WebAuthn signature counter must be an unsigned 32-bit integer, got ${counter}`);
  }
}

function toCredential(row: CredentialRow): WebAuthnCredential {
  return {
    id: row.id,
    userId: row.user_id,
    publicKey: new Uint8Array(row.public_key),
    counter: row.counter,
    transports: JSON.parse(row.transports) as string[],
    aaguid: row.aaguid,
    // Written only through `add`, whose input is typed; the table CHECKs the values too.
    deviceType: row.device_type as WebAuthnDeviceType,
    backedUp: row.backed_up === 1,
    attachment: row.attachment as WebAuthnAttachment | null,
    name: row.name,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
  };
}
