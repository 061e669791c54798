import type { Kysely } from 'kysely';
import type { NewAuditEvent } from '../audit-events.ts';
import type { KeysRepository } from '../keys.ts';
import { appendAuditEvent } from './append-audit-event.ts';
import type { SqlDatabase } from './sql-database.ts';
import type { StoreTables } from './store-tables.ts';

export class SqlKeysRepository implements KeysRepository {
  readonly #db: SqlDatabase;

  constructor(db: SqlDatabase) {
    this.#db = db;
  }

  async getOrCreate(name: string, create: () => string | Promise<string>): Promise<string> {
    const existing = await this.get(name);
    if (existing !== undefined) return existing;
    const created = await create();
    if (typeof created !== 'string') throw new TypeError(`key "${name}" must be created as a string`);
    // Whoever inserted first wins, on any node: a racing insert waits for the first to commit, does
    // nothing, and every racer reads back that one value.
    await this.#db.kysely
      .insertInto('keys')
      .values({ name, value: created })
      .onConflict((conflict) => conflict.column('name').doNothing())
      .execute();
    const stored = await this.get(name);
    if (stored === undefined) throw new Error(`key "${name}" vanished right after it was stored`);
    return stored;
  }

  async get(name: string): Promise<string | undefined> {
    const row = await this.#db.kysely
      .selectFrom('keys')
      .select('value')
      .where('name', '=', name)
      .executeTakeFirst();
    return row?.value;
  }

  async set(name: string, value: string): Promise<void> {
    await setKey(this.#db.kysely, name, value);
  }

  async delete(name: string): Promise<boolean> {
    const result = await this.#db.kysely.deleteFrom('keys').where('name', '=', name).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async setAll(
    entries: readonly (readonly [name: string, value: string])[],
    auditEvent?: NewAuditEvent,
  ): Promise<void> {
    await this.#db.kysely.transaction().execute(async (trx) => {
      for (const [name, value] of entries) await setKey(trx, name, value);
      if (auditEvent) await appendAuditEvent(trx, auditEvent);
    });
  }
}

async function setKey(kysely: Kysely<StoreTables>, name: string, value: string): Promise<void> {
  await kysely
    .insertInto('keys')
    .values({ name, value })
    .onConflict((conflict) =>
      conflict.column('name').doUpdateSet((update) => ({ value: update.ref('excluded.value') })),
    )
    .execute();
}
