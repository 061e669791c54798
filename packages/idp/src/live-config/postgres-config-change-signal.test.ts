import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createPostgresTestDatabase } from '../testing/postgres-test-database.ts';
import { createPostgresConfigChangeSignal } from './postgres-config-change-signal.ts';

const created = await createPostgresTestDatabase();

if (created.skip !== undefined) {
  describe('PostgreSQL config change signal', { skip: created.skip }, () => {});
} else {
  const { database } = created;
  after(() => database.drop());

  describe('PostgreSQL config change signal', () => {
    test('an announcement on one node reaches the listeners of every node on the database', async (t) => {
      const open = () =>
        createPostgresConfigChangeSignal({ connectionString: database.url, connectionTimeoutMs: 2000 });
      const [a, b] = [await open(), await open()];
      t.after(() => Promise.all([a, b].map((signal) => signal.close())));
      const heard = { b: 0 };
      let arrivedAtB = () => {};
      await b.listen(() => {
        heard.b++;
        arrivedAtB();
      });
      const atB = new Promise<void>((resolve) => {
        arrivedAtB = resolve;
      });
      await a.announce();
      await atB;
      assert.equal(heard.b, 1);
      const second = new Promise<void>((resolve) => {
        arrivedAtB = resolve;
      });
      await b.announce();
      await second;
      assert.equal(heard.b, 2);
    });
  });
}
