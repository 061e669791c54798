import type { NewAuditEvent } from '../audit-events.ts';
import { checkResourceServerRecord } from '../check-resource-server-record.ts';
import type {
  ResourceServerRecord,
  ResourceServerSigningAlg,
  ResourceServersRepository,
} from '../resource-servers.ts';
import { appendAuditEvent } from './append-audit-event.ts';
import type { SqlDatabase } from './sql-database.ts';
import { writeJson } from './sql-dialect.ts';

const COLUMNS = ['identifier', 'scopes', 'access_token_ttl', 'signing_alg'] as const;

export class SqlResourceServersRepository implements ResourceServersRepository {
  readonly #db: SqlDatabase;

  constructor(db: SqlDatabase) {
    this.#db = db;
  }

  async upsert(record: ResourceServerRecord, auditEvent?: NewAuditEvent): Promise<void> {
    checkResourceServerRecord(record);
    await this.#db.kysely.transaction().execute(async (trx) => {
      await trx
        .insertInto('resource_servers')
        .values({
          identifier: record.identifier,
          scopes: writeJson(record.scopes),
          access_token_ttl: record.accessTokenTtl,
          signing_alg: record.signingAlg,
        })
        .onConflict((conflict) =>
          conflict.column('identifier').doUpdateSet((update) => ({
            scopes: update.ref('excluded.scopes'),
            access_token_ttl: update.ref('excluded.access_token_ttl'),
            signing_alg: update.ref('excluded.signing_alg'),
          })),
        )
        .execute();
      if (auditEvent) await appendAuditEvent(trx, auditEvent);
    });
  }

  async find(identifier: string): Promise<ResourceServerRecord | undefined> {
    const row = await this.#db.kysely
      .selectFrom('resource_servers')
      .select(COLUMNS)
      .where('identifier', '=', identifier)
      .executeTakeFirst();
    return row && this.#toRecord(row);
  }

  async list(): Promise<ResourceServerRecord[]> {
    const rows = await this.#db.kysely
      .selectFrom('resource_servers')
      .select(COLUMNS)
      .orderBy(this.#db.dialect.inByteOrder('identifier'))
      .execute();
    return rows.map((row) => this.#toRecord(row));
  }

  async remove(identifier: string, auditEvent?: NewAuditEvent): Promise<boolean> {
    return this.#db.kysely.transaction().execute(async (trx) => {
      const { numDeletedRows } = await trx
        .deleteFrom('resource_servers')
        .where('identifier', '=', identifier)
        .executeTakeFirst();
      if (numDeletedRows === 0n) return false;
      if (auditEvent) await appendAuditEvent(trx, auditEvent);
      return true;
    });
  }

  #toRecord(row: {
    identifier: string;
    scopes: unknown;
    access_token_ttl: number;
    signing_alg: string;
  }): ResourceServerRecord {
    return {
      identifier: row.identifier,
      scopes: this.#db.dialect.readJson(row.scopes) as string[],
      accessTokenTtl: row.access_token_ttl,
      signingAlg: row.signing_alg as ResourceServerSigningAlg,
    };
  }
}
