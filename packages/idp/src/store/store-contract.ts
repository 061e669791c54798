import assert from 'node:assert/strict';
import { describe, type TestContext, test } from 'node:test';
import { describeAuditEventsContract } from './audit-events-contract.ts';
import type { AuthSessionRecord } from './auth-sessions.ts';
import { describeAuthorizationDetailTypesContract } from './authorization-detail-types-contract.ts';
import { describeBearerIdHashingContract } from './bearer-ids/bearer-id-hashing-contract.ts';
import { StoreConflictError, StoreError } from './errors.ts';
import { describeOidcAdapterContract } from './oidc-adapter-contract.ts';
import { describeOneTimeCodesContract } from './one-time-codes-contract.ts';
import { describePasswordResetTokensContract } from './password-reset-tokens-contract.ts';
import { describePostLoginStoreContract } from './post-login-store-contract.ts';
import { describePushStoreContract } from './push-store-contract.ts';
import type { Store } from './store.ts';
import { describeUserManagementContract } from './user-management-contract.ts';
import { describeWebAuthnStoreContract } from './webauthn-store-contract.ts';

const NOW = 1_700_000_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The behaviour every `Store` implementation must show; run it once per backend. */
export function describeStoreContract(name: string, open: () => Promise<Store>): void {
  async function openStore(t: TestContext): Promise<Store> {
    const store = await open();
    t.after(() => store.close());
    return store;
  }

  describe(`${name}: expired rows`, () => {
    test('deleteExpired removes what has ended and keeps the rest', async (t) => {
      const store = await openStore(t);
      await store.interactionStates.save('ended', { step: 1 }, 1_000);
      await store.interactionStates.save('live', { step: 2 }, 5_000);
      await store.attempts.increment('ended-window', 100, 900);
      assert.ok((await store.deleteExpired(2_000)) >= 2);
      // Read "as of" an earlier time: a row still present would be returned.
      assert.equal(await store.interactionStates.find('ended', 500), undefined);
      assert.deepEqual(await store.interactionStates.find('live', 500), { step: 2 });
      assert.equal(await store.attempts.peek('ended-window', 950), undefined);
    });
  });

  describe(`${name}: users`, () => {
    test('create returns the stored user and findById reads it back', async (t) => {
      const store = await openStore(t);
      const user = await store.users.create({
        username: 'Alice',
        email: 'Alice@Example.com',
        name: 'Alice Liddell',
        passwordHash: '$argon2id$alice',
        now: NOW,
      });
      assert.match(user.id, UUID);
      assert.deepEqual(user, {
        id: user.id,
        username: 'Alice',
        email: 'Alice@Example.com',
        emailVerified: false,
        name: 'Alice Liddell',
        passwordHash: '$argon2id$alice',
        createdAt: NOW,
        rememberedBrowsersEpoch: 0,
      });
      assert.deepEqual(await store.users.findById(user.id), user);
      assert.equal(await store.users.findById('00000000-0000-4000-8000-000000000000'), undefined);
    });

    test('email and name default to null, and many users may have no email', async (t) => {
      const store = await openStore(t);
      const bob = await store.users.create({ username: 'bob', passwordHash: 'h1', now: NOW });
      const carol = await store.users.create({
        username: 'carol',
        email: null,
        passwordHash: 'h2',
        now: NOW,
      });
      assert.equal(bob.email, null);
      assert.equal(bob.name, null);
      assert.equal(carol.email, null);
      assert.notEqual(bob.id, carol.id);
    });

    test('a username or email taken in any letter case is a conflict', async (t) => {
      const store = await openStore(t);
      await store.users.create({
        username: 'alice',
        email: 'alice@example.com',
        passwordHash: 'h',
        now: NOW,
      });
      const sameUsername = store.users.create({ username: 'ALICE', passwordHash: 'h', now: NOW });
      await assert.rejects(sameUsername, (error: unknown) => {
        assert.ok(error instanceof StoreConflictError);
        assert.ok(error instanceof StoreError);
        assert.equal(error.code, 'conflict');
        return true;
      });
      const sameEmail = store.users.create({
        username: 'other',
        email: 'Alice@EXAMPLE.com',
        passwordHash: 'h',
        now: NOW,
      });
      await assert.rejects(sameEmail, { code: 'conflict' });
      assert.equal(await store.users.findByLogin('other'), undefined);
    });

    test('findByLogin matches username or email case-insensitively', async (t) => {
      const store = await openStore(t);
      const alice = await store.users.create({
        username: 'Alice',
        email: 'alice@example.com',
        passwordHash: 'h',
        now: NOW,
      });
      assert.deepEqual(await store.users.findByLogin('alice'), alice);
      assert.deepEqual(await store.users.findByLogin('ALICE'), alice);
      assert.deepEqual(await store.users.findByLogin('Alice@Example.COM'), alice);
      assert.equal(await store.users.findByLogin('alic'), undefined);
      assert.equal(await store.users.findByLogin('bob@example.com'), undefined);
    });

    test('emailVerified is kept only with an address', async (t) => {
      const store = await openStore(t);
      const verified = await store.users.create({
        username: 'dora',
        email: 'dora@example.com',
        emailVerified: true,
        passwordHash: 'h',
        now: NOW,
      });
      const noAddress = await store.users.create({
        username: 'erin',
        emailVerified: true,
        passwordHash: 'h',
        now: NOW,
      });
      assert.equal((await store.users.findById(verified.id))?.emailVerified, true);
      assert.equal((await store.users.findById(noAddress.id))?.emailVerified, false);
    });

    test('forgetRememberedBrowsers raises the epoch once per call, also in parallel', async (t) => {
      const store = await openStore(t);
      const alice = await store.users.create({ username: 'alice', passwordHash: 'h', now: NOW });
      assert.equal(await store.users.forgetRememberedBrowsers(alice.id), 1);
      const raised = await Promise.all(
        Array.from({ length: 10 }, () => store.users.forgetRememberedBrowsers(alice.id)),
      );
      assert.deepEqual(
        raised.sort((a, b) => a - b),
        [2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
      );
      assert.equal((await store.users.findById(alice.id))?.rememberedBrowsersEpoch, 11);
      assert.equal(await store.users.forgetRememberedBrowsers('00000000-0000-4000-8000-000000000000'), 0);
    });

    test('updatePasswordHash replaces the hash only', async (t) => {
      const store = await openStore(t);
      const alice = await store.users.create({ username: 'alice', passwordHash: 'old', now: NOW });
      await store.users.updatePasswordHash(alice.id, 'new');
      assert.deepEqual(await store.users.findById(alice.id), { ...alice, passwordHash: 'new' });
    });

    test('a closed store rejects with code unavailable', async (t) => {
      const store = await openStore(t);
      await store.close();
      await assert.rejects(store.users.findById('x'), { name: 'StoreError', code: 'unavailable' });
    });
  });

  describe(`${name}: factors`, () => {
    async function openWithUser(t: TestContext) {
      const store = await openStore(t);
      const user = await store.users.create({ username: 'alice', passwordHash: 'h', now: NOW });
      return { store, user };
    }

    test('add, findById, listForUser and remove', async (t) => {
      const { store, user } = await openWithUser(t);
      const other = await store.users.create({ username: 'bob', passwordHash: 'h', now: NOW });
      const phone = await store.factors.add({
        userId: user.id,
        type: 'totp',
        name: 'Phone',
        secret: 'enc1',
        now: NOW,
      });
      const tablet = await store.factors.add({
        userId: user.id,
        type: 'totp',
        name: 'Tablet',
        secret: 'enc2',
        now: NOW + 5,
      });
      assert.match(phone.id, UUID);
      assert.deepEqual(phone, {
        id: phone.id,
        userId: user.id,
        type: 'totp',
        name: 'Phone',
        secret: 'enc1',
        createdAt: NOW,
        lastUsedAt: null,
      });
      assert.deepEqual(await store.factors.findById(phone.id), phone);
      assert.deepEqual(await store.factors.listForUser(user.id), [phone, tablet]);
      assert.deepEqual(await store.factors.listForUser(other.id), []);
      assert.equal(await store.factors.rename(tablet.id, 'Old tablet'), true);
      assert.equal(await store.factors.rename('00000000-0000-4000-8000-000000000000', 'x'), false);
      tablet.name = 'Old tablet';
      assert.deepEqual(await store.factors.findById(tablet.id), tablet);
      assert.equal(await store.factors.remove(phone.id), true);
      assert.equal(await store.factors.remove(phone.id), false);
      assert.equal(await store.factors.findById(phone.id), undefined);
      assert.deepEqual(await store.factors.listForUser(user.id), [tablet]);
    });

    test('consumeTotpStep accepts each step once and never a lower one', async (t) => {
      const { store, user } = await openWithUser(t);
      const factor = await store.factors.add({
        userId: user.id,
        type: 'totp',
        name: 'P',
        secret: 's',
        now: NOW,
      });
      assert.equal(await store.factors.consumeTotpStep(factor.id, 56_666_667, NOW + 10), true);
      assert.equal((await store.factors.findById(factor.id))?.lastUsedAt, NOW + 10);
      assert.equal(await store.factors.consumeTotpStep(factor.id, 56_666_667, NOW + 11), false);
      assert.equal(await store.factors.consumeTotpStep(factor.id, 56_666_666, NOW + 12), false);
      assert.equal((await store.factors.findById(factor.id))?.lastUsedAt, NOW + 10);
      assert.equal(await store.factors.consumeTotpStep(factor.id, 56_666_668, NOW + 40), true);
      assert.equal((await store.factors.findById(factor.id))?.lastUsedAt, NOW + 40);
      assert.equal(await store.factors.consumeTotpStep('no-such-factor', 56_666_669, NOW), false);
    });

    test('20 parallel consumeTotpStep calls with one step: exactly one wins', async (t) => {
      const { store, user } = await openWithUser(t);
      const factor = await store.factors.add({
        userId: user.id,
        type: 'totp',
        name: 'P',
        secret: 's',
        now: NOW,
      });
      const results = await Promise.all(
        Array.from({ length: 20 }, () => store.factors.consumeTotpStep(factor.id, 1000, NOW)),
      );
      assert.equal(results.filter((won) => won).length, 1);
      assert.equal(results.filter((won) => !won).length, 19);
    });
  });

  describe(`${name}: authSessions`, () => {
    test('save, find before expiry, replace, expire and destroy', async (t) => {
      const store = await openStore(t);
      const record: AuthSessionRecord = {
        sessionUid: 'uid-1',
        accountId: 'acc-1',
        methods: [{ method: 'password', at: NOW }],
      };
      await store.authSessions.save(record, NOW + 600);
      assert.deepEqual(await store.authSessions.find('uid-1', NOW + 599), record);
      assert.equal(await store.authSessions.find('uid-1', NOW + 600), undefined);
      assert.equal(await store.authSessions.find('uid-2', NOW), undefined);

      const stepped: AuthSessionRecord = {
        ...record,
        methods: [...record.methods, { method: 'totp', at: NOW + 30 }],
      };
      await store.authSessions.save(stepped, NOW + 1200);
      assert.deepEqual(await store.authSessions.find('uid-1', NOW + 900), stepped);

      await store.authSessions.destroy('uid-1');
      assert.equal(await store.authSessions.find('uid-1', NOW), undefined);
    });
  });

  describe(`${name}: interactionStates`, () => {
    test('save, find before expiry, replace, expire and destroy', async (t) => {
      const store = await openStore(t);
      await store.interactionStates.save('int-1', { step: 'password', tries: 1 }, NOW + 300);
      assert.deepEqual(await store.interactionStates.find('int-1', NOW), { step: 'password', tries: 1 });
      await store.interactionStates.save('int-1', { step: 'totp', tries: 0 }, NOW + 600);
      assert.deepEqual(await store.interactionStates.find<{ step: string }>('int-1', NOW + 400), {
        step: 'totp',
        tries: 0,
      });
      assert.equal(await store.interactionStates.find('int-1', NOW + 600), undefined);
      assert.equal(await store.interactionStates.find('int-2', NOW), undefined);
      await store.interactionStates.destroy('int-1');
      assert.equal(await store.interactionStates.find('int-1', NOW), undefined);
    });
  });

  describe(`${name}: attempts`, () => {
    test('increment counts within a window and starts a new one after it ends', async (t) => {
      const store = await openStore(t);
      assert.equal(await store.attempts.peek('login:alice', NOW), undefined);
      assert.deepEqual(await store.attempts.increment('login:alice', 60, NOW), {
        count: 1,
        resetAt: NOW + 60,
      });
      assert.deepEqual(await store.attempts.increment('login:alice', 60, NOW + 30), {
        count: 2,
        resetAt: NOW + 60,
      });
      assert.deepEqual(await store.attempts.increment('login:alice', 60, NOW + 59), {
        count: 3,
        resetAt: NOW + 60,
      });
      assert.deepEqual(await store.attempts.peek('login:alice', NOW + 59), { count: 3, resetAt: NOW + 60 });
      assert.equal(await store.attempts.peek('login:alice', NOW + 60), undefined);
      assert.deepEqual(await store.attempts.increment('login:alice', 60, NOW + 60), {
        count: 1,
        resetAt: NOW + 120,
      });
      assert.equal(await store.attempts.peek('login:bob', NOW + 60), undefined);
      await store.attempts.reset('login:alice');
      assert.equal(await store.attempts.peek('login:alice', NOW + 60), undefined);
      assert.deepEqual(await store.attempts.increment('login:alice', 60, NOW + 61), {
        count: 1,
        resetAt: NOW + 121,
      });
    });

    test('parallel increments lose no count', async (t) => {
      const store = await openStore(t);
      const results = await Promise.all(
        Array.from({ length: 10 }, () => store.attempts.increment('k', 60, NOW)),
      );
      assert.deepEqual(
        results.map((r) => r.count).sort((a, b) => a - b),
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      );
      assert.deepEqual(await store.attempts.peek('k', NOW), { count: 10, resetAt: NOW + 60 });
    });

    test('refund takes back one attempt of the current window, never below zero', async (t) => {
      const store = await openStore(t);
      await store.attempts.refund('none', NOW);
      assert.equal(await store.attempts.peek('none', NOW), undefined);
      await store.attempts.increment('k', 60, NOW);
      await store.attempts.increment('k', 60, NOW);
      await Promise.all(Array.from({ length: 5 }, () => store.attempts.refund('k', NOW + 1)));
      assert.deepEqual(await store.attempts.peek('k', NOW + 1), { count: 0, resetAt: NOW + 60 });
      assert.deepEqual(await store.attempts.increment('k', 60, NOW + 2), { count: 1, resetAt: NOW + 60 });
      await store.attempts.refund('k', NOW + 60);
      assert.deepEqual(await store.attempts.increment('k', 60, NOW + 60), { count: 1, resetAt: NOW + 120 });
    });
  });

  describe(`${name}: failure counters`, () => {
    test('count, refund and reset like attempts, apart from them', async (t) => {
      const store = await openStore(t);
      const counts = await Promise.all(
        Array.from({ length: 10 }, () => store.failureCounters.increment('code:account:u1', 3600, NOW)),
      );
      assert.deepEqual(
        counts.map((window) => window.count).sort((a, b) => a - b),
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      );
      await store.failureCounters.refund('code:account:u1', NOW);
      assert.deepEqual(await store.failureCounters.peek('code:account:u1', NOW), {
        count: 9,
        resetAt: NOW + 3600,
      });
      assert.equal(await store.attempts.peek('code:account:u1', NOW), undefined);
      await store.failureCounters.reset('code:account:u1');
      assert.equal(await store.failureCounters.peek('code:account:u1', NOW), undefined);
    });
  });

  describe(`${name}: keys`, () => {
    test('get, set and getOrCreate of an existing key', async (t) => {
      const store = await openStore(t);
      assert.equal(await store.keys.get('cookie-keys'), undefined);
      await store.keys.set('cookie-keys', '["a"]');
      assert.equal(await store.keys.get('cookie-keys'), '["a"]');
      await store.keys.set('cookie-keys', '["b","a"]');
      let created = 0;
      const value = await store.keys.getOrCreate('cookie-keys', () => {
        created++;
        return 'never';
      });
      assert.equal(value, '["b","a"]');
      assert.equal(created, 0);
    });

    test('racing getOrCreate calls resolve the one stored value', async (t) => {
      const store = await openStore(t);
      const [first, second] = await Promise.all([
        store.keys.getOrCreate('signing-jwks', async () => 'first'),
        store.keys.getOrCreate('signing-jwks', async () => 'second'),
      ]);
      assert.equal(first, second);
      assert.ok(first === 'first' || first === 'second');
      assert.equal(await store.keys.get('signing-jwks'), first);
    });
  });

  describe(`${name}: clients`, () => {
    test('upsert, find, list, replace and remove', async (t) => {
      const store = await openStore(t);
      const web = {
        client_id: 'web',
        redirect_uris: ['https://app.example/cb'],
        token_endpoint_auth_method: 'none',
      };
      // A secret rests hashed or sealed (client-secrets/stored-client-secret.ts); the store keeps the record as given.
      const api = {
        client_id: 'api',
        stepup_client_secret: { sha256: 'n4bQgYhMfWWaL-qgxVrQFaO_TTI3QNbzUwdw4Q6Ng0M' },
        grant_types: ['client_credentials'],
      };
      await store.clients.upsert(web);
      await store.clients.upsert(api);
      assert.deepEqual(await store.clients.find('web'), web);
      assert.equal(await store.clients.find('nope'), undefined);
      assert.deepEqual(await store.clients.list(), [api, web]);
      const renamed = { ...web, client_name: 'Salary' };
      await store.clients.upsert(renamed);
      assert.deepEqual(await store.clients.find('web'), renamed);
      assert.equal(await store.clients.remove('web'), true);
      assert.equal(await store.clients.remove('web'), false);
      assert.deepEqual(await store.clients.list(), [api]);
    });

    test('a secret in plain is a TypeError and nothing is written', async (t) => {
      const store = await openStore(t);
      await assert.rejects(store.clients.upsert({ client_id: 'api', client_secret: 's3cret' }), TypeError);
      const previous = { client_secret: 'old', expires_at: 1_900_000_000 };
      await assert.rejects(
        store.clients.upsert({ client_id: 'api', stepup_previous_client_secret: previous }),
        TypeError,
      );
      assert.deepEqual(await store.clients.list(), []);
    });

    test('upsert without a client_id is a TypeError', async (t) => {
      const store = await openStore(t);
      await assert.rejects(store.clients.upsert({ client_id: '' }), TypeError);
    });

    test('the provider’s own client ids are refused unless it writes them itself', async (t) => {
      const store = await openStore(t);
      const dashboard = {
        client_id: 'stepup-dashboard',
        redirect_uris: ['https://idp.example/dashboard/callback'],
      };
      await store.clients.upsert(dashboard, { builtIn: true });
      for (const client_id of ['stepup-account', 'stepup-dashboard']) {
        await assert.rejects(
          store.clients.upsert({ client_id, redirect_uris: ['https://attacker.example/cb'] }),
          { name: 'ReservedClientIdError', code: 'conflict', clientId: client_id },
        );
      }
      assert.deepEqual(await store.clients.list(), [dashboard]);
    });
  });

  describe(`${name}: resourceServers`, () => {
    test('upsert, find, list, replace and remove; malformed records are TypeErrors', async (t) => {
      const store = await openStore(t);
      const payroll = {
        identifier: 'https://payroll.example/api',
        scopes: ['payroll:read', 'payroll:write'],
        accessTokenTtl: 300,
        signingAlg: 'RS256' as const,
      };
      const hr = {
        identifier: 'https://hr.example',
        scopes: [],
        accessTokenTtl: 600,
        signingAlg: 'EdDSA' as const,
      };
      await store.resourceServers.upsert(payroll);
      await store.resourceServers.upsert(hr);
      assert.deepEqual(await store.resourceServers.find(payroll.identifier), payroll);
      assert.equal(await store.resourceServers.find('https://payroll.example'), undefined);
      assert.deepEqual(await store.resourceServers.list(), [hr, payroll]);
      const narrowed = { ...payroll, scopes: ['payroll:read'], signingAlg: 'ES256' as const };
      await store.resourceServers.upsert(narrowed);
      assert.deepEqual(await store.resourceServers.find(payroll.identifier), narrowed);
      assert.equal(await store.resourceServers.remove(hr.identifier), true);
      assert.equal(await store.resourceServers.remove(hr.identifier), false);
      assert.deepEqual(await store.resourceServers.list(), [narrowed]);
      await assert.rejects(store.resourceServers.upsert({ ...payroll, identifier: '' }), TypeError);
      await assert.rejects(store.resourceServers.upsert({ ...payroll, accessTokenTtl: 0 }), TypeError);
      await assert.rejects(
        store.resourceServers.upsert({ ...payroll, signingAlg: 'HS256' as unknown as 'RS256' }),
        TypeError,
      );
    });
  });

  describe(`${name}: actions`, () => {
    const deploy = (store: Store, name: string, code: string, basedOn: number | null, enabled = true) =>
      store.actions.deploy({
        name,
        trigger: 'post-login',
        code,
        secretNames: basedOn === null ? [] : ['API_KEY'],
        sealedSecrets: basedOn === null ? null : 'v1.sealed',
        basedOn,
        enabled,
        now: NOW + (basedOn ?? 0),
      });

    test('a new version switches an existing Action on or off when asked, in the same write', async (t) => {
      const store = await openStore(t);
      await deploy(store, 'rule', 'code 1', null, false);
      assert.equal((await deploy(store, 'rule', 'code 2', 1, true)).enabled, true);
      const kept = await store.actions.deploy({
        name: 'rule',
        trigger: 'post-login',
        code: 'code 3',
        secretNames: [],
        sealedSecrets: null,
        basedOn: 2,
        now: NOW + 2,
      });
      assert.deepEqual([kept.version, kept.enabled], [3, true], 'without enabled, the state is kept');
      assert.equal((await deploy(store, 'rule', 'code 4', 3, false)).enabled, false);
    });

    test('deploy creates version 1 at the end of the order, then adds versions', async (t) => {
      const store = await openStore(t);
      const first = await deploy(store, 'first', 'code 1', null);
      assert.match(first.id, UUID);
      assert.deepEqual(first, {
        id: first.id,
        name: 'first',
        trigger: 'post-login',
        enabled: true,
        position: 1,
        version: 1,
        createdAt: NOW,
        updatedAt: NOW,
        code: 'code 1',
        secretNames: [],
        sealedSecrets: null,
      });
      assert.equal((await deploy(store, 'second', 'other', null, false)).position, 2);
      const next = await deploy(store, 'first', 'code 2', 1);
      assert.deepEqual(next, {
        ...first,
        version: 2,
        updatedAt: NOW + 1,
        code: 'code 2',
        secretNames: ['API_KEY'],
        sealedSecrets: 'v1.sealed',
      });
      assert.deepEqual(await store.actions.find('first'), next);
      assert.equal(await store.actions.find('nope'), undefined);
      assert.deepEqual(
        (await store.actions.listVersions('first')).map((v) => [v.version, v.code, v.createdAt]),
        [
          [2, 'code 2', NOW + 1],
          [1, 'code 1', NOW],
        ],
      );
      assert.deepEqual(
        (await store.actions.list()).map((a) => [a.name, a.position, a.enabled, a.version]),
        [
          ['first', 1, true, 2],
          ['second', 2, false, 1],
        ],
      );
    });

    test('a deploy based on a stale version, or creating a taken name, is a conflict', async (t) => {
      const store = await openStore(t);
      await deploy(store, 'rule', 'v1', null);
      await deploy(store, 'rule', 'v2', 1);
      await assert.rejects(deploy(store, 'rule', 'stale', 1), {
        name: 'StoreConflictError',
        code: 'conflict',
      });
      await assert.rejects(deploy(store, 'rule', 'again', null), { code: 'conflict' });
      const racing = await Promise.allSettled([deploy(store, 'rule', 'a', 2), deploy(store, 'rule', 'b', 2)]);
      assert.deepEqual(racing.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
      assert.equal((await store.actions.find('rule'))?.version, 3);
    });

    test('listEnabled runs in order; setEnabled and reorder change it', async (t) => {
      const store = await openStore(t);
      for (const name of ['a', 'b', 'c', 'd']) await deploy(store, name, `code ${name}`, null);
      assert.equal(await store.actions.setEnabled('b', false, NOW + 5), true);
      assert.equal(await store.actions.setEnabled('nope', false, NOW + 5), false);
      assert.deepEqual(
        (await store.actions.listEnabled('post-login')).map((a) => [a.name, a.code]),
        [
          ['a', 'code a'],
          ['c', 'code c'],
          ['d', 'code d'],
        ],
      );
      assert.deepEqual(await store.actions.reorder('post-login', ['d', 'b'], NOW + 6), []);
      assert.deepEqual(
        (await store.actions.list()).map((a) => [a.name, a.position]),
        [
          ['d', 1],
          ['b', 2],
          ['a', 3],
          ['c', 4],
        ],
      );
      assert.deepEqual(await store.actions.reorder('post-login', ['c', 'ghost'], NOW + 7), ['ghost']);
      assert.deepEqual(
        (await store.actions.listEnabled('post-login')).map((a) => a.name),
        ['d', 'a', 'c'],
      );
    });

    test('the execution log keeps the newest executions of each Action', async (t) => {
      const store = await openStore(t);
      const a = await deploy(store, 'a', 'x', null);
      const b = await deploy(store, 'b', 'y', null);
      const record = (actionId: string, n: number) => ({
        actionId,
        version: 1,
        startedAt: NOW * 1000 + n,
        durationMs: 0.5,
        outcome: n % 2 === 0 ? ('succeeded' as const) : ('failed' as const),
        errorCode: n % 2 === 0 ? null : 'action_threw',
        errorDetail: n % 2 === 0 ? null : 'Error: no',
        logs: [`log: ${n}`],
        calls: [],
        userId: 'u',
        clientId: 'c',
      });
      for (let n = 1; n <= 5; n++) await store.actions.recordExecution(record(a.id, n), 3);
      await store.actions.recordExecution(record(b.id, 9), 3);
      assert.deepEqual(await store.actions.listExecutions(a.id, 10), [
        record(a.id, 5),
        record(a.id, 4),
        record(a.id, 3),
      ]);
      assert.deepEqual(await store.actions.listExecutions(a.id, 1), [record(a.id, 5)]);
      assert.deepEqual(await store.actions.listExecutions(b.id, 10), [record(b.id, 9)]);
      await assert.rejects(store.actions.recordExecution(record(a.id, 6), 0), TypeError);
    });
  });

  describeOneTimeCodesContract(name, openStore);
  describePasswordResetTokensContract(name, openStore);
  describeAuthorizationDetailTypesContract(name, openStore);
  describeOidcAdapterContract(name, openStore);
  describeBearerIdHashingContract(name, openStore);
  describeWebAuthnStoreContract(name, openStore);
  describePushStoreContract(name, openStore);
  describePostLoginStoreContract(name, openStore);
  describeAuditEventsContract(name, openStore);
  describeUserManagementContract(name, openStore);
}
