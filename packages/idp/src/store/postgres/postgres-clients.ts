import type { NewAuditEvent } from '../audit-events.ts';
import { type ClientMetadata, type ClientsRepository, checkClientToStore } from '../clients.ts';
import { PostgresAuditEventsRepository } from './postgres-audit-events.ts';
import type { PostgresDatabase } from './postgres-database.ts';

export class PostgresClientsRepository implements ClientsRepository {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  async upsert(
    metadata: ClientMetadata,
    options: { builtIn?: boolean; auditEvent?: NewAuditEvent } = {},
  ): Promise<void> {
    const clientId = checkClientToStore(metadata, options);
    const { auditEvent } = options;
    await this.#db.transaction(async (client) => {
      await client.query(
        `INSERT INTO clients (client_id, metadata) VALUES ($1, $2)
         ON CONFLICT (client_id) DO UPDATE SET metadata = excluded.metadata`,
        [clientId, JSON.stringify(metadata)],
      );
      if (auditEvent) await new PostgresAuditEventsRepository(client).append(auditEvent);
    });
  }

  async find(clientId: string): Promise<ClientMetadata | undefined> {
    const { rows } = await this.#db.query<{ metadata: ClientMetadata }>(
      'SELECT metadata FROM clients WHERE client_id = $1',
      [clientId],
    );
    return rows[0]?.metadata;
  }

  async list(): Promise<ClientMetadata[]> {
    // COLLATE "C": byte order, as SQLite sorts, whatever the database's locale.
    const { rows } = await this.#db.query<{ metadata: ClientMetadata }>(
      'SELECT metadata FROM clients ORDER BY client_id COLLATE "C"',
    );
    return rows.map((row) => row.metadata);
  }

  async remove(clientId: string, auditEvent?: NewAuditEvent): Promise<boolean> {
    return this.#db.transaction(async (client) => {
      if ((await client.query('DELETE FROM clients WHERE client_id = $1', [clientId])).rowCount === 0)
        return false;
      if (auditEvent) await new PostgresAuditEventsRepository(client).append(auditEvent);
      return true;
    });
  }
}
