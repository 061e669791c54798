import type { NewAuditEvent } from '../audit-events.ts';
import type {
  AuthorizationDetailDisplayField,
  AuthorizationDetailTypeRecord,
  AuthorizationDetailTypesRepository,
} from '../authorization-detail-types.ts';
import { appendAuditEvent } from './append-audit-event.ts';
import type { SqlDatabase } from './sql-database.ts';
import { writeJson } from './sql-dialect.ts';

const COLUMNS = ['type', 'description', 'schema', 'display_fields'] as const;

export class SqlAuthorizationDetailTypesRepository implements AuthorizationDetailTypesRepository {
  readonly #db: SqlDatabase;

  constructor(db: SqlDatabase) {
    this.#db = db;
  }

  async upsert(record: AuthorizationDetailTypeRecord, auditEvent?: NewAuditEvent): Promise<void> {
    if (typeof record.type !== 'string' || record.type === '') {
      throw new TypeError('an authorization detail type needs a non-empty name');
    }
    if (typeof record.schema !== 'object' || record.schema === null || Array.isArray(record.schema)) {
      throw new TypeError('an authorization detail type needs a JSON Schema object');
    }
    if (!Array.isArray(record.displayFields) || record.displayFields.length === 0) {
      throw new TypeError('an authorization detail type needs at least one display field');
    }
    await this.#db.kysely.transaction().execute(async (trx) => {
      await trx
        .insertInto('authorization_detail_types')
        .values({
          type: record.type,
          description: record.description,
          schema: writeJson(record.schema),
          display_fields: writeJson(record.displayFields),
        })
        .onConflict((conflict) =>
          conflict.column('type').doUpdateSet((update) => ({
            description: update.ref('excluded.description'),
            schema: update.ref('excluded.schema'),
            display_fields: update.ref('excluded.display_fields'),
          })),
        )
        .execute();
      if (auditEvent) await appendAuditEvent(trx, auditEvent);
    });
  }

  async find(type: string): Promise<AuthorizationDetailTypeRecord | undefined> {
    const row = await this.#db.kysely
      .selectFrom('authorization_detail_types')
      .select(COLUMNS)
      .where('type', '=', type)
      .executeTakeFirst();
    return row && this.#toRecord(row);
  }

  async list(): Promise<AuthorizationDetailTypeRecord[]> {
    const rows = await this.#db.kysely
      .selectFrom('authorization_detail_types')
      .select(COLUMNS)
      .orderBy(this.#db.dialect.inByteOrder('type'))
      .execute();
    return rows.map((row) => this.#toRecord(row));
  }

  async remove(type: string, auditEvent?: NewAuditEvent): Promise<boolean> {
    return this.#db.kysely.transaction().execute(async (trx) => {
      const { numDeletedRows } = await trx
        .deleteFrom('authorization_detail_types')
        .where('type', '=', type)
        .executeTakeFirst();
      if (numDeletedRows === 0n) return false;
      if (auditEvent) await appendAuditEvent(trx, auditEvent);
      return true;
    });
  }

  #toRecord(row: {
    type: string;
    description: string;
    schema: unknown;
    display_fields: unknown;
  }): AuthorizationDetailTypeRecord {
    return {
      type: row.type,
      description: row.description,
      schema: this.#db.dialect.readJson(row.schema) as Record<string, unknown>,
      displayFields: this.#db.dialect.readJson(row.display_fields) as AuthorizationDetailDisplayField[],
    };
  }
}
