import type Database from 'better-sqlite3';
import { checkResourceServerRecord } from '../check-resource-server-record.ts';
import type {
  ResourceServerRecord,
  ResourceServerSigningAlg,
  ResourceServersRepository,
} from '../resource-servers.ts';
import { runSqlite } from './run-sqlite.ts';

interface ResourceServerRow {
  identifier: string;
  scopes: string;
  access_token_ttl: number;
  signing_alg: string;
}

export class SqliteResourceServersRepository implements ResourceServersRepository {
  readonly #db: Database.Database;
  readonly #upsert: Database.Statement<[string, string, number, string]>;
  readonly #find: Database.Statement<[string], ResourceServerRow>;
  readonly #list: Database.Statement<[], ResourceServerRow>;
  readonly #remove: Database.Statement<[string]>;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#upsert = db.prepare(
      `INSERT INTO resource_servers (identifier, scopes, access_token_ttl, signing_alg) VALUES (?, ?, ?, ?)
       ON CONFLICT (identifier) DO UPDATE SET scopes = excluded.scopes,
         access_token_ttl = excluded.access_token_ttl, signing_alg = excluded.signing_alg`,
    );
    this.#find = db.prepare<[string], ResourceServerRow>(
      'SELECT * FROM resource_servers WHERE identifier = ?',
    );
    this.#list = db.prepare<[], ResourceServerRow>('SELECT * FROM resource_servers ORDER BY identifier');
    this.#remove = db.prepare('DELETE FROM resource_servers WHERE identifier = ?');
  }

  async upsert(record: ResourceServerRecord): Promise<void> {
    checkResourceServerRecord(record);
    await runSqlite(this.#db, () =>
      this.#upsert.run(
        record.identifier,
        JSON.stringify(record.scopes),
        record.accessTokenTtl,
        record.signingAlg,
      ),
    );
  }

  async find(identifier: string): Promise<ResourceServerRecord | undefined> {
    return runSqlite(this.#db, () => {
      const row = this.#find.get(identifier);
      return row === undefined ? undefined : toRecord(row);
    });
  }

  async list(): Promise<ResourceServerRecord[]> {
    return runSqlite(this.#db, () => this.#list.all().map(toRecord));
  }

  async remove(identifier: string): Promise<boolean> {
    return runSqlite(this.#db, () => this.#remove.run(identifier).changes > 0);
  }
}

function toRecord(row: ResourceServerRow): ResourceServerRecord {
  return {
    identifier: row.identifier,
    scopes: JSON.parse(row.scopes) as string[],
    accessTokenTtl: row.access_token_ttl,
    signingAlg: row.signing_alg as ResourceServerSigningAlg,
  };
}
