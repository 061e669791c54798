import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { startOutageProxy } from '../../testing/outage-proxy.ts';
import { createPostgresTestDatabase } from '../../testing/postgres-test-database.ts';
import { isStoreUnavailable } from '../errors.ts';
import { PostgresDatabase } from './postgres-database.ts';

// A PostgreSQL restart that drops the connection of a transaction under way: between two of its
// statements (the work in between awaits something else) and under a statement.

const created = await createPostgresTestDatabase();
after(() => created.database?.drop());

describe('a PostgreSQL connection lost in the middle of a transaction', {
  skip: created.skip ?? false,
}, () => {
  const open = async () => {
    const proxy = await startOutageProxy(created.database?.url ?? '');
    const db = new PostgresDatabase({
      connectionString: proxy.url,
      poolMax: 2,
      connectionTimeoutMs: 1000,
      statementTimeoutMs: 2000,
    });
    return { proxy, db };
  };

  for (const [when, between] of [
    ['between two statements', true],
    ['under a statement', false],
  ] as const) {
    test(`${when}: the transaction fails as unavailable, the process goes on, the next one commits`, async () => {
      const { proxy, db } = await open();
      try {
        await db.query('CREATE TABLE IF NOT EXISTS outage_probe (n integer)');
        await db.query('DELETE FROM outage_probe');
        const outcome = db.transaction(async (client) => {
          await client.query('INSERT INTO outage_probe (n) VALUES (1)');
          if (between) {
            await proxy.stop();
            await client.query('INSERT INTO outage_probe (n) VALUES (2)');
          } else {
            await Promise.all([client.query('SELECT pg_sleep(0.5)'), proxy.stop()]);
          }
        });
        await assert.rejects(outcome, (error) => isStoreUnavailable(error));
        await proxy.start();
        await db.transaction((client) => client.query('INSERT INTO outage_probe (n) VALUES (3)'));
        // Nothing of the broken transaction was committed.
        const { rows } = await db.query<{ n: number }>('SELECT n FROM outage_probe ORDER BY n');
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
