import { checkResourceServerRecord } from '../check-resource-server-record.ts';
import type {
  ResourceServerRecord,
  ResourceServerSigningAlg,
  ResourceServersRepository,
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
    checkResourceServerRecord(record);
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

function toRecord(row: ResourceServerRow): ResourceServerRecord {
  return {
    identifier: row.identifier,
    scopes: row.scopes,
    accessTokenTtl: row.access_token_ttl,
    signingAlg: row.signing_alg as ResourceServerSigningAlg,
  };
}
