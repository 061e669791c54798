import {
  RESOURCE_SERVER_SIGNING_ALGORITHMS,
  type ResourceServerRecord,
  type ResourceServerSigningAlg,
  type ResourceServersRepository,
} from '../resource-servers.ts';
import type { PostgresQueryable } from './postgres-database.ts';

interface ResourceServerRow {
  identifier: string;
  scopes: string[];
  access_token_ttl: number;
  signing_alg: string;
}

const COLUMNS = 'identifier, scopes, access_token_ttl, signing_alg';

export class PostgresResourceServersRepository implements ResourceServersRepository {
  readonly #db: PostgresQueryable;

  constructor(db: PostgresQueryable) {
    this.#db = db;
  }

  async upsert(record: ResourceServerRecord): Promise<void> {
    checkRecord(record);
    await this.#db.query(
      `INSERT INTO resource_servers (${COLUMNS}) VALUES ($1, $2, $3, $4)
       ON CONFLICT (identifier) DO UPDATE SET scopes = excluded.scopes,
         access_token_ttl = excluded.access_token_ttl, signing_alg = excluded.signing_alg`,
      [record.identifier, JSON.stringify(record.scopes), record.accessTokenTtl, record.signingAlg],
    );
  }

  async find(identifier: string): Promise<ResourceServerRecord | undefined> {
    const { rows } = await this.#db.query<ResourceServerRow>(
      `SELECT ${COLUMNS} FROM resource_servers WHERE identifier = $1`,
      [identifier],
    );
    return rows[0] && toRecord(rows[0]);
  }

  async list(): Promise<ResourceServerRecord[]> {
    // COLLATE "C": byte order, as SQLite sorts, whatever the database's locale.
    const { rows } = await this.#db.query<ResourceServerRow>(
      `SELECT ${COLUMNS} FROM resource_servers ORDER BY identifier COLLATE "C"`,
    );
    return rows.map(toRecord);
  }

  async remove(identifier: string): Promise<boolean> {
    return (
      (await this.#db.query('DELETE FROM resource_servers WHERE identifier = $1', [identifier])).rowCount > 0
    );
  }
}

function checkRecord(record: ResourceServerRecord): void {
  if (typeof record.identifier !== 'string' || record.identifier === '') {
    throw new TypeError('a resource server needs a non-empty string identifier');
  }
  if (!Array.isArray(record.scopes) || !record.scopes.every((scope) => typeof scope === 'string')) {
    throw new TypeError('a resource server needs scopes as an array of strings');
  }
  if (!Number.isSafeInteger(record.accessTokenTtl) || record.accessTokenTtl <= 0) {
    throw new TypeError('a resource server needs accessTokenTtl as a positive integer number of seconds');
  }
  if (!(RESOURCE_SERVER_SIGNING_ALGORITHMS as readonly string[]).includes(record.signingAlg)) {
    throw new TypeError(`a resource server signing alg must be one of ${RESOURCE_SERVER_SIGNING_ALGORITHMS}`);
  }
}

function toRecord(row: ResourceServerRow): ResourceServerRecord {
  return {
    identifier: row.identifier,
    scopes: row.scopes,
    accessTokenTtl: row.access_token_ttl,
    signingAlg: row.signing_alg as ResourceServerSigningAlg,
  };
}
