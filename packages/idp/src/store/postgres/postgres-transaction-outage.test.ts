import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { sql } from 'kysely';
import { startOutageProxy } from '../../testing/outage-proxy.ts';
import { createPostgresTestDatabase } from '../../testing/postgres-test-database.ts';
import { isStoreUnavailable } from '../errors.ts';
import { createPostgresPool } from './postgres-pool.ts';
import { createPostgresSqlDatabase } from './postgres-sql-database.ts';

// A PostgreSQL restart that drops the connection of a transaction under way: between two of its
// statements (the work in between awaits something else) and under a statement.

const created = await createPostgresTestDatabase();
after(() => created.database?.drop());

describe('a PostgreSQL connection lost in the middle of a transaction', {
  skip: created.skip ?? false,
}, () => {
  const open = async () => {
    const proxy = await startOutageProxy(created.database?.url ?? '');
    const db = createPostgresSqlDatabase(
      createPostgresPool({
        connectionString: proxy.url,
        poolMax: 2,
        connectionTimeoutMs: 1000,
        statementTimeoutMs: 2000,
      }),
    );
    return { proxy, db };
  };

  for (const [when, between] of [
    ['between two statements', true],
    ['under a statement', false],
  ] as const) {
    test(`${when}: the transaction fails as unavailable, the process goes on, the next one commits`, async () => {
      const { proxy, db } = await open();
      try {
        await sql`CREATE TABLE IF NOT EXISTS outage_probe (n integer)`.execute(db.kysely);
        await sql`DELETE FROM outage_probe`.execute(db.kysely);
        const outcome = db.kysely.transaction().execute(async (trx) => {
          await sql`INSERT INTO outage_probe (n) VALUES (1)`.execute(trx);
          if (between) {
            await proxy.stop();
            await sql`INSERT INTO outage_probe (n) VALUES (2)`.execute(trx);
          } else {
            await Promise.all([sql`SELECT pg_sleep(0.5)`.execute(trx), proxy.stop()]);
          }
        });
        await assert.rejects(outcome, (error) => isStoreUnavailable(error));
        await proxy.start();
        await db.kysely
          .transaction()
          .execute((trx) => sql`INSERT INTO outage_probe (n) VALUES (3)`.execute(trx));
        // Nothing of the broken transaction was committed.
        const { rows } = await sql<{ n: number }>`SELECT n FROM outage_probe ORDER BY n`.execute(db.kysely);
        assert.deepEqual(
          rows.map((row) => row.n),
          [3],
        );
      } finally {
        await db.close();
        await proxy.stop();
      }
    });
  }
});
