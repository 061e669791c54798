import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { SQLITE_FILE_NAME } from '../store/sqlite/sqlite-store.ts';
import { createPostgresTestDatabase } from '../testing/postgres-test-database.ts';
import { openManagementFixture } from './testing/management-fixture.ts';

/**
 * Audit finding 6: `POST /users` was several writes; when a later one failed, a usable account was
 * left without its `admin.user.created` event. The user, their metadata and the event are now one
 * transaction. The failure is real: a database trigger refuses the audit row.
 */
const created = await createPostgresTestDatabase();
after(() => created.database?.drop());

const engines = [
  {
    name: 'SQLite',
    skip: false,
    settings: {},
    async refuseAuditRows(dataDir: string, refuse: boolean) {
      const db = new Database(join(dataDir, SQLITE_FILE_NAME));
      db.exec(
        refuse
          ? `CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_events WHEN NEW.type = 'admin.user.created'
             BEGIN SELECT RAISE(ABORT, 'audit refused'); END`
          : 'DROP TRIGGER refuse_audit',
      );
      db.close();
    },
  },
  {
    name: 'PostgreSQL',
    skip: created.skip ?? false,
    settings: { databaseUrl: created.database?.url ?? '' },
    async refuseAuditRows(_dataDir: string, refuse: boolean) {
      const client = new pg.Client({ connectionString: created.database?.url ?? '' });
      await client.connect();
      await client.query(
        refuse
          ? `CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS
               $$ BEGIN RAISE EXCEPTION 'audit refused'; END $$;
             CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_events FOR EACH ROW
               WHEN (NEW.type = 'admin.user.created') EXECUTE FUNCTION refuse_audit()`
          : 'DROP TRIGGER refuse_audit ON audit_events; DROP FUNCTION refuse_audit()',
      );
      await client.end();
    },
  },
];

for (const engine of engines) {
  describe(`POST /users is one transaction on ${engine.name}`, { skip: engine.skip }, () => {
    test('when the audit event cannot be written, no account is left behind', async (t) => {
      const f = await openManagementFixture(engine.settings);
      t.after(() => f.close());
      const token = await f.machine(['create:users'], 'signup-robot');
      const body = { username: 'ghost', password: 'a ghost passphrase', app_metadata: { plan: 'gold' } };

      await engine.refuseAuditRows(f.idp.dataDir, true);
      const refused = await f.call(token, 'POST', '/users', body);
      assert.deepEqual([refused.status, refused.body.error?.code], [500, 'internal']);
      assert.equal(await f.idp.stepup.store.users.findByLogin('ghost'), undefined);

      await engine.refuseAuditRows(f.idp.dataDir, false);
      const accepted = await f.call(token, 'POST', '/users', body);
      assert.deepEqual([accepted.status, accepted.body.app_metadata], [201, { plan: 'gold' }]);
      const events = await f.audit('admin.user.created');
      assert.deepEqual(
        events.map((event) => event.userId),
        [accepted.body.id],
      );
    });
  });
}
