import type Database from 'better-sqlite3';
import type { NewAuditEvent } from '../audit-events.ts';
import { type ClientMetadata, type ClientsRepository, checkClientToStore } from '../clients.ts';
import { runSqlite } from './run-sqlite.ts';
import { prepareAuditEventAppend } from './sqlite-audit-events.ts';

export class SqliteClientsRepository implements ClientsRepository {
  readonly #db: Database.Database;
  readonly #upsert: Database.Statement<[string, string]>;
  readonly #find: Database.Statement<[string], string>;
  readonly #list: Database.Statement<[], string>;
  readonly #remove: Database.Statement<[string]>;
  readonly #appendAuditEvent: (event: NewAuditEvent) => unknown;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#upsert = db.prepare(
      `INSERT INTO clients (client_id, metadata) VALUES (?, ?)
       ON CONFLICT (client_id) DO UPDATE SET metadata = excluded.metadata`,
    );
    this.#find = db.prepare<[string], string>('SELECT metadata FROM clients WHERE client_id = ?').pluck();
    this.#list = db.prepare<[], string>('SELECT metadata FROM clients ORDER BY client_id').pluck();
    this.#remove = db.prepare('DELETE FROM clients WHERE client_id = ?');
    this.#appendAuditEvent = prepareAuditEventAppend(db);
  }

  async upsert(
    metadata: ClientMetadata,
    options: { builtIn?: boolean; auditEvent?: NewAuditEvent } = {},
  ): Promise<void> {
    const clientId = checkClientToStore(metadata, options);
    const json = JSON.stringify(metadata);
    const { auditEvent } = options;
    await runSqlite(
      this.#db,
      this.#db.transaction(() => {
        this.#upsert.run(clientId, json);
        if (auditEvent) this.#appendAuditEvent(auditEvent);
      }),
    );
  }

  async find(clientId: string): Promise<ClientMetadata | undefined> {
    return runSqlite(this.#db, () => {
      const json = this.#find.get(clientId);
      return json === undefined ? undefined : (JSON.parse(json) as ClientMetadata);
    });
  }

  async list(): Promise<ClientMetadata[]> {
    return runSqlite(this.#db, () => this.#list.all().map((json) => JSON.parse(json) as ClientMetadata));
  }

  async remove(clientId: string, auditEvent?: NewAuditEvent): Promise<boolean> {
    return runSqlite(
      this.#db,
      this.#db.transaction(() => {
        if (this.#remove.run(clientId).changes === 0) return false;
        if (auditEvent) this.#appendAuditEvent(auditEvent);
        return true;
      }),
    );
  }
}
