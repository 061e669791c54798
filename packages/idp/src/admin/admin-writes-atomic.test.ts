import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { SQLITE_FILE_NAME } from '../store/sqlite/sqlite-store.ts';
import { createPostgresTestDatabase } from '../testing/postgres-test-database.ts';
import { CodeThrottle } from '../throttle/code-throttle.ts';
import { MANAGEMENT_SCOPES } from './management-api-identity.ts';
import { openManagementFixture } from './testing/management-fixture.ts';

/**
 * Audit finding 6: `POST /users` was several writes; when a later one failed, a usable account was
 * left without its `admin.user.created` event. The user, their metadata and the event are now one
 * transaction, and so are a deletion, the sessions it ends and its event, a password reset and an
 * ending of sessions (issue 13). The failure is real: a database trigger refuses the audit row.
 */
const created = await createPostgresTestDatabase();
after(() => created.database?.drop());

const engines = [
  {
    name: 'SQLite',
    skip: false,
    settings: {},
    async refuseAuditRows(dataDir: string, type: string | null) {
      const db = new Database(join(dataDir, SQLITE_FILE_NAME));
      db.exec(
        type
          ? `CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_events WHEN NEW.type = '${type}'
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
    async refuseAuditRows(_dataDir: string, type: string | null) {
      const client = new pg.Client({ connectionString: created.database?.url ?? '' });
      await client.connect();
      await client.query(
        type
          ? `CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS
               $$ BEGIN RAISE EXCEPTION 'audit refused'; END $$;
             CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_events FOR EACH ROW
               WHEN (NEW.type = '${type}') EXECUTE FUNCTION refuse_audit()`
          : 'DROP TRIGGER refuse_audit ON audit_events; DROP FUNCTION refuse_audit()',
      );
      await client.end();
    },
  },
];

for (const engine of engines) {
  describe(`user writes are one transaction with their audit event on ${engine.name}`, {
    skip: engine.skip,
  }, () => {
    test('when the audit event cannot be written, no account is left behind', async (t) => {
      const f = await openManagementFixture(engine.settings);
      t.after(() => f.close());
      const token = await f.machine(['create:users', 'delete:users'], 'signup-robot');
      const body = { username: 'ghost', password: 'a ghost passphrase', app_metadata: { plan: 'gold' } };

      await engine.refuseAuditRows(f.idp.dataDir, 'admin.user.created');
      const refused = await f.call(token, 'POST', '/users', body);
      assert.deepEqual([refused.status, refused.body.error?.code], [500, 'internal']);
      assert.equal(await f.idp.stepup.store.users.findByLogin('ghost'), undefined);

      await engine.refuseAuditRows(f.idp.dataDir, null);
      const accepted = await f.call(token, 'POST', '/users', body);
      assert.deepEqual([accepted.status, accepted.body.app_metadata], [201, { plan: 'gold' }]);
      const events = await f.audit('admin.user.created');
      assert.deepEqual(
        events.map((event) => event.userId),
        [accepted.body.id],
      );

      await engine.refuseAuditRows(f.idp.dataDir, 'admin.user.deleted');
      const undeleted = await f.call(token, 'DELETE', `/users/${accepted.body.id}`);
      assert.deepEqual([undeleted.status, undeleted.body.error?.code], [500, 'internal']);
      assert.equal((await f.idp.stepup.store.users.findByLogin('ghost'))?.id, accepted.body.id);
      await engine.refuseAuditRows(f.idp.dataDir, null);
      assert.equal((await f.call(token, 'DELETE', `/users/${accepted.body.id}`)).status, 204);
      assert.equal((await f.audit('admin.user.deleted')).length, 1);
    });

    test('when the audit event of a block cannot be written, the user is not blocked', async (t) => {
      const f = await openManagementFixture(engine.settings);
      t.after(() => f.close());
      const token = await f.machine(['update:users'], 'blocking-robot');
      const user = await f.idp.addUser('blockee', 'a blockee passphrase');

      await engine.refuseAuditRows(f.idp.dataDir, 'admin.user.blocked');
      const refused = await f.call(token, 'PATCH', `/users/${user.id}`, { blocked: true, name: 'Blockee' });
      assert.deepEqual([refused.status, refused.body.error?.code], [500, 'internal']);
      const unchanged = await f.idp.stepup.store.userManagement.find(user.id);
      assert.deepEqual([unchanged?.blocked, unchanged?.name], [false, null]);

      await engine.refuseAuditRows(f.idp.dataDir, null);
      const blocked = await f.call(token, 'PATCH', `/users/${user.id}`, { blocked: true });
      assert.deepEqual([blocked.status, blocked.body.blocked], [200, true]);
      assert.deepEqual(
        (await f.audit('admin.user.blocked')).map((event) => event.userId),
        [user.id],
      );
    });

    test('when the audit event of a password reset cannot be written, the password is unchanged', async (t) => {
      const f = await openManagementFixture(engine.settings);
      t.after(() => f.close());
      const token = await f.machine(['update:users'], 'password-robot');
      const user = await f.idp.addUser('resettee', 'the old passphrase');
      const before = (await f.idp.stepup.store.users.findById(user.id))?.passwordHash;

      await engine.refuseAuditRows(f.idp.dataDir, 'admin.user.password_reset');
      const refused = await f.call(token, 'PUT', `/users/${user.id}/password`, {
        password: 'a new passphrase',
      });
      assert.deepEqual([refused.status, refused.body.error?.code], [500, 'internal']);
      assert.equal((await f.idp.stepup.store.users.findById(user.id))?.passwordHash, before);

      await engine.refuseAuditRows(f.idp.dataDir, null);
      const reset = await f.call(token, 'PUT', `/users/${user.id}/password`, {
        password: 'a new passphrase',
      });
      assert.equal(reset.status, 204);
      assert.notEqual((await f.idp.stepup.store.users.findById(user.id))?.passwordHash, before);
      assert.deepEqual(
        (await f.audit('admin.user.password_reset')).map((event) => event.userId),
        [user.id],
      );
    });

    test('when the audit event of a factor removal cannot be written, the factor stays', async (t) => {
      const f = await openManagementFixture(engine.settings);
      t.after(() => f.close());
      const token = await f.machine(['read:users', 'update:users'], 'factors-robot');
      const user = await f.idp.addUser('three-factors', 'a three factor passphrase');
      const { store } = f.idp.stepup;
      const now = Math.floor(Date.now() / 1000);
      await f.idp.importTotp(user.id, 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
      await store.webauthnCredentials.add({
        id: 'a-security-key',
        userId: user.id,
        publicKey: new Uint8Array([1, 2, 3]),
        counter: 0,
        transports: ['usb'],
        aaguid: '00000000-0000-0000-0000-000000000000',
        deviceType: 'singleDevice',
        backedUp: false,
        attachment: 'cross-platform',
        name: 'Key',
        now,
      });
      await store.pushDevices.add({
        userId: user.id,
        name: 'Phone',
        publicKey: { kty: 'EC', crv: 'P-256', x: 'x-coordinate', y: 'y-coordinate' },
        now,
      });
      const listed = async () =>
        ((await f.call(token, 'GET', `/users/${user.id}/factors`)).body.items as { id: string }[]).map(
          (factor) => factor.id,
        );
      const factors = await listed();
      assert.equal(factors.length, 3);

      await engine.refuseAuditRows(f.idp.dataDir, 'admin.user.factor_removed');
      for (const factor of factors) {
        const refused = await f.call(token, 'DELETE', `/users/${user.id}/factors/${factor}`);
        assert.deepEqual([refused.status, refused.body.error?.code], [500, 'internal'], factor);
      }
      assert.deepEqual(await listed(), factors);
      await engine.refuseAuditRows(f.idp.dataDir, null);

      for (const factor of factors) {
        assert.equal((await f.call(token, 'DELETE', `/users/${user.id}/factors/${factor}`)).status, 204);
      }
      assert.deepEqual(await listed(), []);
      assert.equal((await f.audit('admin.user.factor_removed')).length, 3);
    });

    test('when the audit event of a cleared sign-in lock cannot be written, the lock stays', async (t) => {
      const f = await openManagementFixture(engine.settings);
      t.after(() => f.close());
      const token = await f.machine(['read:users', 'update:users'], 'unlock-robot');
      const userId = await f.person('locked-out', false);
      const { store, config } = f.idp.stepup;
      const codes = new CodeThrottle(store, config);
      for (let login = 0; login < config.throttling.secondFactor.lockFailures; login += 1) {
        await codes.attempt({
          accountId: userId,
          interactionUid: `login-${login}`,
          now: f.clock() + login * 3600,
        });
      }
      const locked = { consecutive_failures: config.throttling.secondFactor.lockFailures, locked: true };
      const lockOf = async () => (await f.call(token, 'GET', `/users/${userId}/sign-in-lock`)).body.codes;
      assert.deepEqual(await lockOf(), locked);

      await engine.refuseAuditRows(f.idp.dataDir, 'admin.user.sign_in_lock_cleared');
      const refused = await f.call(token, 'DELETE', `/users/${userId}/sign-in-lock`);
      assert.deepEqual([refused.status, refused.body.error?.code], [500, 'internal']);
      assert.deepEqual(await lockOf(), locked);
      await engine.refuseAuditRows(f.idp.dataDir, null);

      assert.equal((await f.call(token, 'DELETE', `/users/${userId}/sign-in-lock`)).status, 204);
      assert.deepEqual(await lockOf(), { consecutive_failures: 0, locked: false });
      assert.equal((await f.audit('admin.user.sign_in_lock_cleared')).length, 1);
    });

    test('when the audit event of a session revocation cannot be written, the sessions stay', async (t) => {
      const f = await openManagementFixture(engine.settings);
      t.after(() => f.close());
      const token = await f.machine(['update:users'], 'sessions-robot');
      const user = await f.idp.addUser('revokee', 'a revokee passphrase');
      const { store } = f.idp.stepup;
      const sessions = new store.oidcAdapter('Session');
      await sessions.upsert('s-revokee', { accountId: user.id, uid: 'u-revokee' }, 600);
      const record = { sessionUid: 'u-revokee', accountId: user.id, methods: [] };
      await store.authSessions.save(record, f.clock() + 600);

      await engine.refuseAuditRows(f.idp.dataDir, 'admin.user.sessions_revoked');
      const refused = await f.call(token, 'DELETE', `/users/${user.id}/sessions`);
      assert.deepEqual([refused.status, refused.body.error?.code], [500, 'internal']);
      assert.equal((await sessions.find('s-revokee'))?.accountId, user.id);
      assert.deepEqual(await store.authSessions.find('u-revokee', f.clock()), record);

      await engine.refuseAuditRows(f.idp.dataDir, null);
      assert.equal((await f.call(token, 'DELETE', `/users/${user.id}/sessions`)).status, 204);
      assert.equal(await sessions.find('s-revokee'), undefined);
      assert.deepEqual(
        (await f.audit('admin.user.sessions_revoked')).map((event) => [event.userId, event.details]),
        [[user.id, { revoked: 2 }]],
      );
    });

    test('when the audit event of a role grant cannot be written, the role is not granted', async (t) => {
      const f = await openManagementFixture(engine.settings);
      t.after(() => f.close());
      const token = await f.machine(MANAGEMENT_SCOPES, 'roles-robot');
      const user = await f.idp.addUser('grantee', 'a grantee passphrase');

      await engine.refuseAuditRows(f.idp.dataDir, 'admin.user.roles_changed');
      const refused = await f.call(token, 'PUT', `/users/${user.id}/roles`, { roles: ['admin'] });
      assert.deepEqual([refused.status, refused.body.error?.code], [500, 'internal']);
      assert.deepEqual((await f.idp.stepup.store.userManagement.find(user.id))?.roles, []);
      await engine.refuseAuditRows(f.idp.dataDir, null);
    });

    test('when the audit event of a scope grant or a secret rotation cannot be written, the client is unchanged', async (t) => {
      const f = await openManagementFixture(engine.settings);
      t.after(() => f.close());
      const token = await f.machine(MANAGEMENT_SCOPES, 'clients-robot');
      await f.idp.addClient({ client_id: 'payroll', client_secret: 'the payroll secret, long enough 32+' });
      const before = await f.idp.stepup.store.clients.find('payroll');

      await engine.refuseAuditRows(f.idp.dataDir, 'admin.client.scopes_changed');
      const grant = await f.call(token, 'PUT', '/clients/payroll/scopes', {
        resource: `${f.idp.issuer}/api/v1`,
        scopes: ['read:users'],
      });
      assert.deepEqual([grant.status, grant.body.error?.code], [500, 'internal']);
      assert.deepEqual(await f.idp.stepup.store.clients.find('payroll'), before);

      await engine.refuseAuditRows(f.idp.dataDir, null);
      await engine.refuseAuditRows(f.idp.dataDir, 'admin.client.secret_rotated');
      const rotated = await f.call(token, 'POST', '/clients/payroll/secret', {});
      assert.deepEqual([rotated.status, rotated.body.error?.code], [500, 'internal']);
      assert.deepEqual(await f.idp.stepup.store.clients.find('payroll'), before);
      await engine.refuseAuditRows(f.idp.dataDir, null);
    });

    test('when the audit event of an API change cannot be written, the API is unchanged', async (t) => {
      const f = await openManagementFixture(engine.settings);
      t.after(() => f.close());
      const token = await f.machine(MANAGEMENT_SCOPES, 'apis-robot');
      const identifier = 'https://payroll.example/api';
      const path = `/apis/${encodeURIComponent(identifier)}`;
      const apis = f.idp.stepup.store.resourceServers;

      await engine.refuseAuditRows(f.idp.dataDir, 'admin.api.created');
      const refused = await f.call(token, 'POST', '/apis', { identifier, scopes: ['payroll:read'] });
      assert.deepEqual([refused.status, refused.body.error?.code], [500, 'internal']);
      assert.equal(await apis.find(identifier), undefined);
      await engine.refuseAuditRows(f.idp.dataDir, null);
      assert.equal(
        (await f.call(token, 'POST', '/apis', { identifier, scopes: ['payroll:read'] })).status,
        201,
      );
      const created = await apis.find(identifier);

      await engine.refuseAuditRows(f.idp.dataDir, 'admin.api.updated');
      const unchanged = await f.call(token, 'PATCH', path, { scopes: ['payroll:write'] });
      assert.deepEqual([unchanged.status, unchanged.body.error?.code], [500, 'internal']);
      assert.deepEqual(await apis.find(identifier), created);
      await engine.refuseAuditRows(f.idp.dataDir, null);

      await engine.refuseAuditRows(f.idp.dataDir, 'admin.api.deleted');
      const undeleted = await f.call(token, 'DELETE', path);
      assert.deepEqual([undeleted.status, undeleted.body.error?.code], [500, 'internal']);
      assert.deepEqual(await apis.find(identifier), created);
      await engine.refuseAuditRows(f.idp.dataDir, null);
      assert.deepEqual(
        [(await f.audit('admin.api.updated')).length, (await f.audit('admin.api.deleted')).length],
        [0, 0],
      );
    });

    test('when the audit event of a settings change cannot be written, the settings are unchanged', async (t) => {
      const f = await openManagementFixture(engine.settings);
      t.after(() => f.close());
      const token = await f.machine(MANAGEMENT_SCOPES, 'settings-robot');
      const before = await f.call(token, 'GET', '/settings');

      await engine.refuseAuditRows(f.idp.dataDir, 'admin.settings.updated');
      const refused = await f.call(token, 'PATCH', '/settings', { remember_browser: { days: 3 } });
      assert.deepEqual([refused.status, refused.body.error?.code], [500, 'internal']);
      assert.deepEqual((await f.call(token, 'GET', '/settings')).body, before.body);
      await engine.refuseAuditRows(f.idp.dataDir, null);

      const changed = await f.call(token, 'PATCH', '/settings', { remember_browser: { days: 3 } });
      assert.equal(changed.status, 200);
      assert.equal((await f.audit('admin.settings.updated')).length, 1);
    });

    test('when the audit event of a key rotation cannot be written, the keys are unchanged', async (t) => {
      const f = await openManagementFixture(engine.settings);
      t.after(() => f.close());
      const token = await f.machine(MANAGEMENT_SCOPES, 'keys-robot');
      const before = await f.call(token, 'GET', '/keys');

      await engine.refuseAuditRows(f.idp.dataDir, 'admin.keys.rotated');
      const refused = await f.call(token, 'POST', '/keys/rotate');
      assert.deepEqual([refused.status, refused.body.error?.code], [500, 'internal']);
      assert.deepEqual((await f.call(token, 'GET', '/keys')).body, before.body);
      await engine.refuseAuditRows(f.idp.dataDir, null);

      const rotated = await f.call(token, 'POST', '/keys/rotate');
      assert.equal(rotated.status, 200);
      assert.equal((await f.audit('admin.keys.rotated')).length, 1);
    });

    test('when the audit event of an Action change cannot be written, the Actions are unchanged', async (t) => {
      const f = await openManagementFixture({ ...engine.settings, actions: { timeoutMs: 3000 } });
      t.after(() => f.close());
      const token = await f.machine(['read:actions', 'update:actions', 'delete:actions'], 'actions-robot');
      const actions = f.idp.stepup.store.actions;
      const code = (n: number) => `exports.onExecutePostLogin = async () => { /* rule ${n} */ };`;
      const refusedWith = async (type: string, method: string, path: string, body?: unknown) => {
        await engine.refuseAuditRows(f.idp.dataDir, type);
        const refused = await f.call(token, method, path, body);
        await engine.refuseAuditRows(f.idp.dataDir, null);
        return [refused.status, refused.body.error?.code];
      };
      const refusal = [500, 'internal'];

      assert.deepEqual(
        await refusedWith('admin.action.deployed', 'PUT', '/actions/gate', { code: code(1) }),
        refusal,
      );
      assert.equal(await actions.find('gate'), undefined, 'no Action without its deploy event');

      assert.equal((await f.call(token, 'PUT', '/actions/gate', { code: code(1) })).status, 201);
      assert.equal((await f.call(token, 'PUT', '/actions/later', { code: code(2) })).status, 201);
      const before = { gate: await actions.find('gate'), list: await actions.list() };
      const unchanged = async (what: string) => {
        assert.deepEqual(await actions.find('gate'), before.gate, what);
        assert.deepEqual(await actions.list(), before.list, what);
      };

      assert.deepEqual(
        await refusedWith('admin.action.deployed', 'PUT', '/actions/gate', { code: code(3) }),
        refusal,
      );
      await unchanged('a new version needs its deploy event');
      assert.deepEqual(
        await refusedWith('admin.action.disabled', 'PUT', '/actions/gate', { code: code(3), enabled: false }),
        refusal,
      );
      await unchanged('a deploy that also switches off needs both events');
      assert.deepEqual(
        await refusedWith('admin.action.disabled', 'PUT', '/actions/gate', { code: code(1), enabled: false }),
        refusal,
      );
      await unchanged('switching off by redeploying the same code needs its event');
      assert.deepEqual(
        await refusedWith('admin.action.disabled', 'PATCH', '/actions/gate', { enabled: false }),
        refusal,
      );
      await unchanged('switching off needs its event');
      assert.deepEqual(
        await refusedWith('admin.action.reordered', 'PUT', '/actions/triggers/post-login/order', {
          names: ['later'],
        }),
        refusal,
      );
      await unchanged('a new order needs its event');
      assert.deepEqual(await refusedWith('admin.action.deleted', 'DELETE', '/actions/gate'), refusal);
      await unchanged('a deletion needs its event');

      assert.equal(
        (await f.call(token, 'PUT', '/actions/gate', { code: code(3), enabled: false })).status,
        200,
      );
      assert.deepEqual(
        [...(await f.audit('admin.action.deployed')), ...(await f.audit('admin.action.disabled'))].map(
          (event) => event.details,
        ),
        [
          { name: 'gate', version: 1 },
          { name: 'later', version: 1 },
          { name: 'gate', version: 2 },
          { name: 'gate' },
        ],
      );
      assert.equal((await f.call(token, 'DELETE', '/actions/gate')).status, 204);
      assert.deepEqual(
        (await f.audit('admin.action.deleted')).map((event) => event.details),
        [{ name: 'gate', version: 2, trigger: 'post-login' }],
      );
    });
  });
}
