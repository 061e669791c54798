import assert from 'node:assert/strict';
import { describe, type TestContext, test } from 'node:test';
import type { OidcAdapter, OidcAdapterFactory, OidcAdapterPayload } from '../oidc-adapter.ts';
import type { Store } from '../store.ts';
import { hashBearerId } from './bearer-id-hash.ts';
import { withHashedBearerIds } from './hashed-bearer-id-adapter.ts';
import { withHashedInteractionStateKeys } from './hashed-interaction-states.ts';
import { withHashedEmailCodes, withHashedWebAuthnChallenges } from './hashed-login-challenges.ts';
import { withHashedPushChallenges, withHashedPushEnrollmentTokens } from './hashed-push-state.ts';
import { plainBearerIdRewrite } from './plain-bearer-id-rewrite.ts';

const CURRENT = Buffer.alloc(32, 1);
const RETIRED = Buffer.alloc(32, 2);
const ISSUER = 'https://id.example';
const NOW = 1_700_000_000;

function token(kind: string, jti: string, grantId: string): OidcAdapterPayload {
  return { kind, jti, grantId, accountId: 'acc-1', clientId: 'web', iat: 1_700_000_000, exp: 1_700_000_600 };
}

/** An Interaction as oidc-provider 9 writes it: its uid and the session cookie are in the payload. */
function interaction(uid: string, sessionCookie: string): OidcAdapterPayload {
  return {
    kind: 'Interaction',
    jti: uid,
    iat: 1_700_000_000,
    exp: 1_700_003_600,
    returnTo: `${ISSUER}/oidc/auth/${uid}`,
    prompt: { name: 'login', reasons: ['no_session'], details: {} },
    params: { client_id: 'web', scope: 'openid' },
    session: { accountId: 'acc-1', uid: 'session-uid-1', cookie: sessionCookie, acr: '1', amr: ['pwd'] },
    grantId: 'grant-1',
    cid: 'cid-1',
  };
}

/** What each bearer model is written with, by the plain id oidc-provider passes. */
function bearerInstances(): [model: string, id: string, payload: OidcAdapterPayload][] {
  return [
    [
      'Session',
      'session-cookie-1',
      { kind: 'Session', jti: 'session-cookie-1', uid: 'session-uid-1', accountId: 'acc-1' },
    ],
    ['AccessToken', 'access-token-1', token('AccessToken', 'access-token-1', 'grant-1')],
    ['AuthorizationCode', 'code-1', token('AuthorizationCode', 'code-1', 'grant-1')],
    ['RefreshToken', 'refresh-token-1', token('RefreshToken', 'refresh-token-1', 'grant-1')],
    ['Interaction', 'interaction-uid-1', interaction('interaction-uid-1', 'session-cookie-1')],
  ];
}

/** What oidc-provider reads back: the same, but an Interaction's copy of the session cookie is gone. */
function asReadBack(model: string, payload: OidcAdapterPayload): OidcAdapterPayload {
  if (model !== 'Interaction') return payload;
  const { cookie: _cookie, ...session } = payload.session as Record<string, unknown>;
  return { ...payload, session };
}

const PLAIN_IDS = ['session-cookie-1', 'access-token-1', 'code-1', 'refresh-token-1', 'interaction-uid-1'];

/** The store's adapter, noting each call it receives in `calls`. */
function noteCalls(inner: OidcAdapterFactory, calls: string[]): OidcAdapterFactory {
  return class NotedAdapter implements OidcAdapter {
    readonly #inner: OidcAdapter;
    constructor(name: string) {
      this.#inner = new inner(name);
    }
    upsert(id: string, payload: OidcAdapterPayload, expiresIn?: number) {
      calls.push('upsert');
      return this.#inner.upsert(id, payload, expiresIn);
    }
    find(id: string) {
      calls.push('find');
      return this.#inner.find(id);
    }
    findByUid(uid: string) {
      calls.push('findByUid');
      return this.#inner.findByUid(uid);
    }
    findByUserCode(userCode: string) {
      calls.push('findByUserCode');
      return this.#inner.findByUserCode(userCode);
    }
    consume(id: string) {
      calls.push('consume');
      return this.#inner.consume(id);
    }
    consumeAllowingRetry(id: string, retry: { now: number; reuseIntervalSeconds: number }) {
      calls.push('consumeAllowingRetry');
      return this.#inner.consumeAllowingRetry(id, retry);
    }
    destroy(id: string) {
      calls.push('destroy');
      return this.#inner.destroy(id);
    }
    revokeByGrantId(grantId: string) {
      calls.push('revokeByGrantId');
      return this.#inner.revokeByGrantId(grantId);
    }
  };
}

/** Bearer-id hashing over each store, as part of `describeStoreContract`. */
export function describeBearerIdHashingContract(
  name: string,
  openStore: (t: TestContext) => Promise<Store>,
): void {
  describe(`${name}: bearer ids at rest`, () => {
    test('bearer models are stored under the keyed hash, with no copy of the id in the payload', async (t) => {
      const store = await openStore(t);
      const Hashed = withHashedBearerIds(store.oidcAdapter, [CURRENT]);
      for (const [model, id, payload] of bearerInstances()) {
        await new Hashed(model).upsert(id, payload, 3600);
        assert.deepEqual(await new Hashed(model).find(id), asReadBack(model, payload), model);
        const raw = new store.oidcAdapter(model);
        assert.equal(await raw.find(id), undefined, `${model} under its plain id`);
        const stored = await raw.find(hashBearerId(CURRENT, id));
        assert.ok(stored, `${model} under its hashed id`);
        const text = JSON.stringify(stored);
        for (const plain of PLAIN_IDS) assert.equal(text.includes(plain), false, `${model} holds ${plain}`);
      }
      // A grant id is no credential: tokens name their grant by it in clear, and reuse revokes by it.
      await new Hashed('Grant').upsert(
        'grant-1',
        { kind: 'Grant', jti: 'grant-1', accountId: 'acc-1' },
        3600,
      );
      assert.equal((await new store.oidcAdapter('Grant').find('grant-1'))?.jti, 'grant-1');
      await new Hashed('AccessToken').revokeByGrantId('grant-1');
      assert.equal(await new Hashed('RefreshToken').find('refresh-token-1'), undefined);
      assert.equal(await new Hashed('AccessToken').find('access-token-1'), undefined);
      assert.equal((await new Hashed('Session').findByUid('session-uid-1'))?.accountId, 'acc-1');
    });

    test('with one key, each call is one call of the store adapter: hashing adds no query', async (t) => {
      const store = await openStore(t);
      const calls: string[] = [];
      const Adapter = withHashedBearerIds(noteCalls(store.oidcAdapter, calls), [CURRENT]);
      const refreshTokens = new Adapter('RefreshToken');
      await refreshTokens.upsert('refresh-token-1', token('RefreshToken', 'refresh-token-1', 'grant-1'), 600);
      assert.equal((await refreshTokens.find('refresh-token-1'))?.jti, 'refresh-token-1');
      await refreshTokens.consume('refresh-token-1');
      await refreshTokens.destroy('refresh-token-1');
      assert.equal(await refreshTokens.find('refresh-token-1'), undefined);
      assert.deepEqual(calls, ['upsert', 'find', 'consume', 'destroy', 'find']);
    });

    test('interaction states are stored under the hashed key, and found under a retired one', async (t) => {
      const store = await openStore(t);
      const before = withHashedInteractionStateKeys(store.interactionStates, [RETIRED]);
      const states = withHashedInteractionStateKeys(store.interactionStates, [CURRENT, RETIRED]);
      await before.save('interaction-uid-1', { step: 'password' }, NOW + 600);
      assert.deepEqual(await states.find('interaction-uid-1', NOW), { step: 'password' });
      await states.save('interaction-uid-1', { step: 'totp' }, NOW + 600);
      assert.equal(await store.interactionStates.find('interaction-uid-1', NOW), undefined);
      assert.equal(
        await store.interactionStates.find(hashBearerId(RETIRED, 'interaction-uid-1'), NOW),
        undefined,
      );
      assert.deepEqual(await store.interactionStates.find(hashBearerId(CURRENT, 'interaction-uid-1'), NOW), {
        step: 'totp',
      });
      await states.destroy('interaction-uid-1');
      assert.equal(await states.find('interaction-uid-1', NOW), undefined);
    });

    test('WebAuthn challenges and email codes are stored under the hashed interaction id', async (t) => {
      const store = await openStore(t);
      const challenges = withHashedWebAuthnChallenges(store.webauthnChallenges, [CURRENT]);
      const challenge = {
        interactionUid: 'interaction-uid-1',
        ceremony: 'authentication' as const,
        challenge: 'challenge-1',
        userId: null,
        expiresAt: NOW + 300,
      };
      await challenges.issue(challenge, NOW);
      assert.equal(
        await store.webauthnChallenges.consume('interaction-uid-1', 'authentication', NOW),
        undefined,
      );
      assert.deepEqual(await challenges.consume('interaction-uid-1', 'authentication', NOW), challenge);
      assert.equal(await challenges.consume('interaction-uid-1', 'authentication', NOW), undefined);

      const emailCodes = withHashedEmailCodes(store.emailCodes, [CURRENT]);
      const user = await store.users.create({ username: 'alice', passwordHash: 'h', now: NOW });
      const code = { challengeId: 'interaction-uid-1', userId: user.id, codeHash: 'code-hash-1', now: NOW };
      await emailCodes.save({ ...code, expiresAt: NOW + 600 });
      assert.equal(await store.emailCodes.consume(code), false);
      assert.equal(await emailCodes.consume(code), true);
      assert.equal(await emailCodes.consume(code), false);
    });

    test('push challenges and enrollment tokens name their login by the hashed interaction id', async (t) => {
      const store = await openStore(t);
      const user = await store.users.create({ username: 'alice', passwordHash: 'h', now: NOW });
      const challenges = withHashedPushChallenges(store.pushChallenges, [CURRENT]);
      const hashedUid = hashBearerId(CURRENT, 'interaction-uid-1');
      const opened = await challenges.open({
        userId: user.id,
        interactionUid: 'interaction-uid-1',
        clientId: 'web',
        clientName: 'Web',
        ip: '203.0.113.7',
        number: 42,
        choices: [17, 42, 88],
        nonce: 'nonce-1',
        now: NOW,
        expiresAt: NOW + 60,
      });
      assert.equal(opened.interactionUid, hashedUid);
      assert.equal(await store.pushChallenges.latestForInteraction('interaction-uid-1'), undefined);
      assert.equal((await challenges.latestForInteraction('interaction-uid-1'))?.id, opened.id);
      assert.equal((await store.pushChallenges.findById(opened.id))?.interactionUid, hashedUid);
      const withdrawn = await challenges.withdrawOpen('interaction-uid-1', NOW + 1);
      assert.deepEqual(
        withdrawn.map((challenge) => [challenge.id, challenge.status]),
        [[opened.id, 'withdrawn']],
      );

      const tokens = withHashedPushEnrollmentTokens(store.pushEnrollmentTokens, [CURRENT]);
      const grant = { userId: user.id, interactionUid: 'interaction-uid-1' };
      await tokens.issue({ ...grant, tokenHash: 'token-hash-1', now: NOW, expiresAt: NOW + 600 });
      assert.deepEqual(await tokens.consume('token-hash-1', NOW), { ...grant, interactionUid: hashedUid });
    });

    test('after a key rotation, rows under the retired key are found, used once and moved when written', async (t) => {
      const store = await openStore(t);
      const Before = withHashedBearerIds(store.oidcAdapter, [RETIRED]);
      const After = withHashedBearerIds(store.oidcAdapter, [CURRENT, RETIRED]);
      const session = { kind: 'Session', jti: 'session-cookie-1', uid: 'session-uid-1', accountId: 'acc-1' };
      await new Before('Session').upsert('session-cookie-1', session, 3600);
      await new Before('RefreshToken').upsert(
        'refresh-token-1',
        token('RefreshToken', 'refresh-token-1', 'grant-1'),
        600,
      );
      await new Before('AccessToken').upsert(
        'access-token-1',
        token('AccessToken', 'access-token-1', 'grant-1'),
        600,
      );

      assert.deepEqual(await new After('Session').find('session-cookie-1'), session);
      await new After('Session').upsert('session-cookie-1', { ...session, loginTs: 1_700_000_100 }, 3600);
      const raw = new store.oidcAdapter('Session');
      assert.equal(await raw.find(hashBearerId(RETIRED, 'session-cookie-1')), undefined);
      assert.equal((await raw.find(hashBearerId(CURRENT, 'session-cookie-1')))?.loginTs, 1_700_000_100);

      await new After('RefreshToken').consume('refresh-token-1');
      assert.equal(typeof (await new After('RefreshToken').find('refresh-token-1'))?.consumed, 'number');
      await assert.rejects(new After('RefreshToken').consume('refresh-token-1'), { error: 'invalid_grant' });
      assert.equal(
        await new After('AccessToken').find('access-token-1'),
        undefined,
        'reuse revoked the grant',
      );

      await new After('Session').destroy('session-cookie-1');
      assert.equal(await new After('Session').find('session-cookie-1'), undefined);
      await assert.rejects(new After('AuthorizationCode').consume('never-issued'), {
        error: 'invalid_grant',
      });
    });

    for (const keys of [[CURRENT], [CURRENT, RETIRED]] as const) {
      const where = keys.length === 1 ? 'the current key' : 'a retired key';
      test(`100 parallel consumes of a refresh token under ${where}: one wins, the grant is revoked`, async (t) => {
        const store = await openStore(t);
        const Writer = withHashedBearerIds(store.oidcAdapter, [keys.at(-1) as Buffer]);
        const Adapter = withHashedBearerIds(store.oidcAdapter, keys);
        await new Writer('Grant').upsert(
          'grant-1',
          { kind: 'Grant', jti: 'grant-1', accountId: 'acc-1' },
          3600,
        );
        await new Writer('RefreshToken').upsert(
          'refresh-token-1',
          token('RefreshToken', 'refresh-token-1', 'grant-1'),
          600,
        );
        await new Writer('AccessToken').upsert(
          'access-token-1',
          token('AccessToken', 'access-token-1', 'grant-1'),
          600,
        );

        const results = await Promise.allSettled(
          Array.from({ length: 100 }, () => new Adapter('RefreshToken').consume('refresh-token-1')),
        );
        assert.equal(results.filter((result) => result.status === 'fulfilled').length, 1);
        for (const result of results) {
          if (result.status === 'rejected')
            assert.equal((result.reason as { error?: unknown }).error, 'invalid_grant');
        }
        assert.equal(await new Adapter('AccessToken').find('access-token-1'), undefined);
        assert.equal(await new Adapter('Grant').find('grant-1'), undefined);
      });
    }

    test('rows stored in clear before the upgrade are rewritten once by 10 runs at once, and keep working', async (t) => {
      const store = await openStore(t);
      // The store's own adapter writes as a release without hashing did.
      for (const [model, id, payload] of bearerInstances())
        await new store.oidcAdapter(model).upsert(id, payload, 3600);
      await new store.oidcAdapter('Grant').upsert(
        'grant-1',
        { kind: 'Grant', jti: 'grant-1', accountId: 'acc-1' },
        3600,
      );
      await new store.oidcAdapter('AuthorizationCode').consume('code-1');
      await store.interactionStates.save('interaction-uid-1', { step: 'password' }, NOW + 600);

      const rewrite = plainBearerIdRewrite([CURRENT]);
      const runs = await Promise.all(Array.from({ length: 10 }, () => store.hashPlainBearerIds(rewrite)));
      // Each plain id once, and the interaction state.
      assert.equal(
        runs.reduce((sum, count) => sum + count, 0),
        PLAIN_IDS.length + 1,
      );
      assert.equal(await store.hashPlainBearerIds(rewrite), 0);

      const Adapter = withHashedBearerIds(store.oidcAdapter, [CURRENT]);
      for (const [model, id, payload] of bearerInstances()) {
        assert.equal(await new store.oidcAdapter(model).find(id), undefined, `${model} left in clear`);
        const found = await new Adapter(model).find(id);
        const { consumed, ...rest } = found ?? {};
        assert.deepEqual(rest, asReadBack(model, payload), model);
        assert.equal(typeof consumed === 'number', model === 'AuthorizationCode', `${model} consumed`);
      }
      assert.equal((await new Adapter('Session').findByUid('session-uid-1'))?.accountId, 'acc-1');
      assert.equal((await new Adapter('Grant').find('grant-1'))?.jti, 'grant-1');
      assert.equal(await store.interactionStates.find('interaction-uid-1', NOW), undefined);
      const states = withHashedInteractionStateKeys(store.interactionStates, [CURRENT]);
      assert.deepEqual(await states.find('interaction-uid-1', NOW), { step: 'password' });
      assert.ok((await store.deleteExpired(NOW + 601)) >= 1, 'the moved state still expires');
      assert.equal(await states.find('interaction-uid-1', NOW), undefined);
      // The code was used before the upgrade: using it again still revokes its grant.
      await assert.rejects(new Adapter('AuthorizationCode').consume('code-1'), { error: 'invalid_grant' });
      assert.equal(await new Adapter('RefreshToken').find('refresh-token-1'), undefined);
    });
  });
}
