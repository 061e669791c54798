import type { Selectable } from 'kysely';
import type { NewAuditEvent } from '../audit-events.ts';
import { type ClientMetadata, type ClientsRepository, checkClientToStore } from '../clients.ts';
import { appendAuditEvent } from './append-audit-event.ts';
import { type Parameter, prepareQuery } from './prepared-query.ts';
import type { SqlDatabase } from './sql-database.ts';
import { writeJson } from './sql-dialect.ts';
import type { ClientsTable } from './store-tables.ts';

export class SqlClientsRepository implements ClientsRepository {
  readonly #db: SqlDatabase;
  // Prepared once: oidc-provider looks the client up on every request.
  readonly #find: (values: {
    clientId: string;
  }) => Promise<Array<Pick<Selectable<ClientsTable>, 'metadata'>>>;

  constructor(db: SqlDatabase) {
    this.#db = db;
    const { kysely } = db;
    this.#find = prepareQuery(db, (parameter: Parameter<{ clientId: string }>) =>
      kysely.selectFrom('clients').select('metadata').where('client_id', '=', parameter('clientId')),
    );
  }

  async upsert(
    metadata: ClientMetadata,
    options: { builtIn?: boolean; auditEvent?: NewAuditEvent } = {},
  ): Promise<void> {
    const clientId = checkClientToStore(metadata, options);
    const { auditEvent } = options;
    await this.#db.kysely.transaction().execute(async (trx) => {
      await trx
        .insertInto('clients')
        .values({ client_id: clientId, metadata: writeJson(metadata) })
        .onConflict((conflict) =>
          conflict
            .column('client_id')
            .doUpdateSet((update) => ({ metadata: update.ref('excluded.metadata') })),
        )
        .execute();
      if (auditEvent) await appendAuditEvent(trx, auditEvent);
    });
  }

  async find(clientId: string): Promise<ClientMetadata | undefined> {
    const [row] = await this.#find({ clientId });
    return row && (this.#db.dialect.readJson(row.metadata) as ClientMetadata);
  }

  async list(): Promise<ClientMetadata[]> {
    const rows = await this.#db.kysely
      .selectFrom('clients')
      .select('metadata')
      .orderBy(this.#db.dialect.inByteOrder('client_id'))
      .execute();
    return rows.map((row) => this.#db.dialect.readJson(row.metadata) as ClientMetadata);
  }

  async remove(clientId: string, auditEvent?: NewAuditEvent): Promise<boolean> {
    return this.#db.kysely.transaction().execute(async (trx) => {
      const { numDeletedRows } = await trx
        .deleteFrom('clients')
        .where('client_id', '=', clientId)
        .executeTakeFirst();
      if (numDeletedRows === 0n) return false;
      if (auditEvent) await appendAuditEvent(trx, auditEvent);
      return true;
    });
  }
}
