import { type ClientMetadata, type ClientsRepository, checkClientToStore } from '../clients.ts';
import type { PostgresQueryable } from './postgres-database.ts';

export class PostgresClientsRepository implements ClientsRepository {
  readonly #db: PostgresQueryable;

  constructor(db: PostgresQueryable) {
    this.#db = db;
  }

  async upsert(metadata: ClientMetadata, options: { builtIn?: boolean } = {}): Promise<void> {
    const clientId = checkClientToStore(metadata, options);
    await this.#db.query(
      `INSERT INTO clients (client_id, metadata) VALUES ($1, $2)
       ON CONFLICT (client_id) DO UPDATE SET metadata = excluded.metadata`,
      [clientId, JSON.stringify(metadata)],
    );
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

  async remove(clientId: string): Promise<boolean> {
    return (await this.#db.query('DELETE FROM clients WHERE client_id = $1', [clientId])).rowCount > 0;
  }
}
