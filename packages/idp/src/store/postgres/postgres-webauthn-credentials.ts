import type {
  AddWebAuthnCredentialInput,
  WebAuthnAttachment,
  WebAuthnCredential,
  WebAuthnCredentialsRepository,
  WebAuthnDeviceType,
} from '../webauthn-credentials.ts';
import type { PostgresQueryable } from './postgres-database.ts';

interface CredentialRow {
  id: string;
  user_id: string;
  public_key: Buffer;
  counter: number;
  transports: string[];
  aaguid: string;
  device_type: string;
  backed_up: boolean;
  attachment: string | null;
  name: string;
  created_at: number;
  last_used_at: number | null;
}

const COLUMNS =
  'id, user_id, public_key, counter, transports, aaguid, device_type, backed_up, attachment, name, created_at, last_used_at';

export class PostgresWebAuthnCredentialsRepository implements WebAuthnCredentialsRepository {
  readonly #db: PostgresQueryable;

  constructor(db: PostgresQueryable) {
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
    await this.#db.query(
      `INSERT INTO webauthn_credentials (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, NULL)`,
      [
        credential.id,
        credential.userId,
        Buffer.from(credential.publicKey),
        credential.counter,
        JSON.stringify(credential.transports),
        credential.aaguid,
        credential.deviceType,
        credential.backedUp,
        credential.attachment,
        credential.name,
        credential.createdAt,
      ],
    );
    return credential;
  }

  async findById(id: string): Promise<WebAuthnCredential | undefined> {
    const { rows } = await this.#db.query<CredentialRow>(
      `SELECT ${COLUMNS} FROM webauthn_credentials WHERE id = $1`,
      [id],
    );
    return rows[0] && toCredential(rows[0]);
  }

  async listForUser(userId: string): Promise<WebAuthnCredential[]> {
    const { rows } = await this.#db.query<CredentialRow>(
      `SELECT ${COLUMNS} FROM webauthn_credentials WHERE user_id = $1 ORDER BY created_at, seq`,
      [userId],
    );
    return rows.map(toCredential);
  }

  async recordUse(id: string, use: { counter: number; backedUp: boolean; now: number }): Promise<boolean> {
    checkCounter(use.counter);
    // One conditional UPDATE: the counter only moves forward, so of two assertions carrying the same
    // counter (a cloned authenticator, or a replay) at most one is ever accepted, on any node.
    const { rowCount } = await this.#db.query(
      `UPDATE webauthn_credentials SET counter = $2, backed_up = $3, last_used_at = $4
       WHERE id = $1 AND (counter < $2 OR (counter = 0 AND $2 = 0))`,
      [id, use.counter, use.backedUp, use.now],
    );
    return rowCount === 1;
  }

  async rename(id: string, name: string): Promise<boolean> {
    return (
      (await this.#db.query('UPDATE webauthn_credentials SET name = $2 WHERE id = $1', [id, name])).rowCount >
      0
    );
  }

  async remove(id: string): Promise<boolean> {
    return (await this.#db.query('DELETE FROM webauthn_credentials WHERE id = $1', [id])).rowCount > 0;
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
    transports: row.transports,
    aaguid: row.aaguid,
    // Written only through `add`, whose input is typed; the table CHECKs the values too.
    deviceType: row.device_type as WebAuthnDeviceType,
    backedUp: row.backed_up,
    attachment: row.attachment as WebAuthnAttachment | null,
    name: row.name,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
  };
}
