import assert from 'node:assert/strict';
import { describe, type TestContext, test } from 'node:test';
import { withHashedBearerIds } from './bearer-ids/hashed-bearer-id-adapter.ts';
import type { OidcAdapterFactory, OidcAdapterPayload } from './oidc-adapter.ts';
import type { Store } from './store.ts';

const BEARER_ID_KEY = Buffer.alloc(32, 7);

function epochSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function tokenPayload(kind: string, jti: string, grantId: string): OidcAdapterPayload {
  return { kind, jti, grantId, accountId: 'acc-1', clientId: 'web', iat: 1_700_000_000, exp: 1_700_000_600 };
}

/**
 * oidc-provider's adapter contract, as part of `describeStoreContract`, through the bearer-id
 * hashing the provider always puts in front of the store's adapter.
 */
export function describeOidcAdapterContract(
  name: string,
  openRawStore: (t: TestContext) => Promise<Store>,
): void {
  async function openStore(t: TestContext): Promise<Store & { oidcAdapter: OidcAdapterFactory }> {
    const store = await openRawStore(t);
    return { ...store, oidcAdapter: withHashedBearerIds(store.oidcAdapter, [BEARER_ID_KEY]) };
  }

  describe(`${name}: oidcAdapter`, () => {
    test('upsert then find returns the payload; models do not share ids', async (t) => {
      const { oidcAdapter: Adapter } = await openStore(t);
      const codes = new Adapter('AuthorizationCode');
      const payload = tokenPayload('AuthorizationCode', 'code-1', 'grant-1');
      await codes.upsert('code-1', payload, 60);
      assert.deepEqual(await codes.find('code-1'), payload);
      assert.deepEqual(await new Adapter('AuthorizationCode').find('code-1'), payload);
      assert.equal(await new Adapter('AccessToken').find('code-1'), undefined);
      assert.equal(await codes.find('code-2'), undefined);

      const replaced = { ...payload, scope: 'openid' };
      await codes.upsert('code-1', replaced, 60);
      assert.deepEqual(await codes.find('code-1'), replaced);
    });

    test('expired instances are not found; no expiresIn means no expiry', async (t) => {
      const { oidcAdapter: Adapter } = await openStore(t);
      const sessions = new Adapter('Session');
      await sessions.upsert('expired', { jti: 'expired', uid: 'uid-expired' }, 0);
      await sessions.upsert('forever', { jti: 'forever', uid: 'uid-forever' });
      assert.equal(await sessions.find('expired'), undefined);
      assert.equal(await sessions.findByUid('uid-expired'), undefined);
      assert.deepEqual(await sessions.find('forever'), { jti: 'forever', uid: 'uid-forever' });
    });

    test('findByUid finds a Session (without its id, the cookie) and findByUserCode a DeviceCode', async (t) => {
      const { oidcAdapter: Adapter } = await openStore(t);
      const session = { jti: 'sess-1', uid: 'uid-1', accountId: 'acc-1', loginTs: 1_700_000_000 };
      await new Adapter('Session').upsert('sess-1', session, 3600);
      const { jti: _cookie, ...withoutId } = session;
      assert.deepEqual(await new Adapter('Session').findByUid('uid-1'), withoutId);
      assert.equal(await new Adapter('Session').findByUid('uid-2'), undefined);

      const device = { ...tokenPayload('DeviceCode', 'dc-1', 'grant-1'), userCode: 'WDJB-MJHT' };
      await new Adapter('DeviceCode').upsert('dc-1', device, 600);
      const { jti: _deviceCode, ...deviceWithoutId } = device;
      assert.deepEqual(await new Adapter('DeviceCode').findByUserCode('WDJB-MJHT'), deviceWithoutId);
      assert.equal(await new Adapter('DeviceCode').findByUserCode('XXXX-XXXX'), undefined);
    });

    test('destroy removes one instance', async (t) => {
      const { oidcAdapter: Adapter } = await openStore(t);
      const tokens = new Adapter('AccessToken');
      await tokens.upsert('at-1', tokenPayload('AccessToken', 'at-1', 'grant-1'), 60);
      await tokens.upsert('at-2', tokenPayload('AccessToken', 'at-2', 'grant-1'), 60);
      await tokens.destroy('at-1');
      assert.equal(await tokens.find('at-1'), undefined);
      assert.equal((await tokens.find('at-2'))?.jti, 'at-2');
    });

    test('revokeByGrantId removes the grant tokens of every model and no others', async (t) => {
      const { oidcAdapter: Adapter } = await openStore(t);
      await new Adapter('AccessToken').upsert('at-1', tokenPayload('AccessToken', 'at-1', 'grant-1'), 60);
      await new Adapter('RefreshToken').upsert('rt-1', tokenPayload('RefreshToken', 'rt-1', 'grant-1'), 600);
      await new Adapter('AuthorizationCode').upsert(
        'ac-1',
        tokenPayload('AuthorizationCode', 'ac-1', 'grant-1'),
        60,
      );
      await new Adapter('AccessToken').upsert('at-2', tokenPayload('AccessToken', 'at-2', 'grant-2'), 60);

      await new Adapter('AccessToken').revokeByGrantId('grant-1');
      assert.equal(await new Adapter('AccessToken').find('at-1'), undefined);
      assert.equal(await new Adapter('RefreshToken').find('rt-1'), undefined);
      assert.equal(await new Adapter('AuthorizationCode').find('ac-1'), undefined);
      assert.equal((await new Adapter('AccessToken').find('at-2'))?.jti, 'at-2');
    });

    test('consume marks the instance consumed, and re-saving keeps it consumed', async (t) => {
      const { oidcAdapter: Adapter } = await openStore(t);
      const codes = new Adapter('AuthorizationCode');
      const payload = tokenPayload('AuthorizationCode', 'code-1', 'grant-1');
      await codes.upsert('code-1', payload, 60);
      const before = epochSeconds();
      await codes.consume('code-1');
      const after = epochSeconds();
      const found = await codes.find('code-1');
      const consumed = found?.consumed;
      assert.ok(typeof consumed === 'number' && consumed >= before && consumed <= after);
      assert.deepEqual(found, { ...payload, consumed });

      await codes.upsert('code-1', payload, 60);
      assert.equal((await codes.find('code-1'))?.consumed, consumed);
    });

    test('10 parallel consumes: one wins, nine get invalid_grant and the grant is revoked', async (t) => {
      const { oidcAdapter: Adapter } = await openStore(t);
      const refreshTokens = new Adapter('RefreshToken');
      await new Adapter('Grant').upsert(
        'grant-1',
        { jti: 'grant-1', kind: 'Grant', accountId: 'acc-1' },
        3600,
      );
      await refreshTokens.upsert('rt-1', tokenPayload('RefreshToken', 'rt-1', 'grant-1'), 600);
      await new Adapter('AccessToken').upsert('at-1', tokenPayload('AccessToken', 'at-1', 'grant-1'), 60);
      await new Adapter('AccessToken').upsert('at-2', tokenPayload('AccessToken', 'at-2', 'grant-2'), 60);

      const results = await Promise.allSettled(
        Array.from({ length: 10 }, () => refreshTokens.consume('rt-1')),
      );
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      const rejections = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
      assert.equal(rejections.length, 9);
      for (const reason of rejections) {
        assert.ok(reason instanceof Error);
        assert.equal((reason as Error & { error?: unknown }).error, 'invalid_grant');
      }

      assert.equal(await refreshTokens.find('rt-1'), undefined);
      assert.equal(await new Adapter('AccessToken').find('at-1'), undefined);
      assert.equal(await new Adapter('Grant').find('grant-1'), undefined);
      assert.equal((await new Adapter('AccessToken').find('at-2'))?.jti, 'at-2');
    });

    /** A grant with its Grant row, a refresh token, the access token and the refresh token it rotated to. */
    async function refreshFamily(Adapter: Store['oidcAdapter'], grantId: string) {
      await new Adapter('Grant').upsert(grantId, { jti: grantId, kind: 'Grant', accountId: 'acc-1' }, 3600);
      const refreshTokens = new Adapter('RefreshToken');
      await refreshTokens.upsert(
        `${grantId}-rt`,
        tokenPayload('RefreshToken', `${grantId}-rt`, grantId),
        600,
      );
      await refreshTokens.upsert(
        `${grantId}-rt2`,
        tokenPayload('RefreshToken', `${grantId}-rt2`, grantId),
        600,
      );
      await new Adapter('AccessToken').upsert(
        `${grantId}-at`,
        tokenPayload('AccessToken', `${grantId}-at`, grantId),
        60,
      );
      return {
        refreshTokens,
        /** The ids of the family still found. */
        async alive() {
          const found = await Promise.all([
            new Adapter('Grant').find(grantId),
            refreshTokens.find(`${grantId}-rt`),
            refreshTokens.find(`${grantId}-rt2`),
            new Adapter('AccessToken').find(`${grantId}-at`),
          ]);
          return found.map((payload) => payload?.jti ?? null);
        },
      };
    }

    test('consumeAllowingRetry: a retry within the interval succeeds; after it, the grant is revoked', async (t) => {
      const { oidcAdapter: Adapter } = await openStore(t);
      const family = await refreshFamily(Adapter, 'grant-r');
      const other = await refreshFamily(Adapter, 'grant-o');
      const everyone = ['grant-r', 'grant-r-rt', 'grant-r-rt2', 'grant-r-at'];
      const T = epochSeconds();

      await family.refreshTokens.consumeAllowingRetry('grant-r-rt', { now: T, reuseIntervalSeconds: 10 });
      assert.equal((await family.refreshTokens.find('grant-r-rt'))?.consumed, T);
      // Retried 9 s later: nothing changes, not even the time it was first consumed.
      await family.refreshTokens.consumeAllowingRetry('grant-r-rt', { now: T + 9, reuseIntervalSeconds: 10 });
      assert.equal((await family.refreshTokens.find('grant-r-rt'))?.consumed, T);
      assert.deepEqual(await family.alive(), everyone);

      await assert.rejects(
        family.refreshTokens.consumeAllowingRetry('grant-r-rt', { now: T + 10, reuseIntervalSeconds: 10 }),
        { error: 'invalid_grant' },
      );
      assert.deepEqual(await family.alive(), [null, null, null, null]);
      assert.deepEqual(await other.alive(), ['grant-o', 'grant-o-rt', 'grant-o-rt2', 'grant-o-at']);
    });

    test('consumeAllowingRetry: 100 concurrent retries within the interval all succeed and the grant stays', async (t) => {
      const { oidcAdapter: Adapter } = await openStore(t);
      const family = await refreshFamily(Adapter, 'grant-c');
      const T = epochSeconds();
      const results = await Promise.allSettled(
        Array.from({ length: 100 }, () =>
          family.refreshTokens.consumeAllowingRetry('grant-c-rt', { now: T, reuseIntervalSeconds: 10 }),
        ),
      );
      assert.deepEqual(
        results.filter((result) => result.status === 'rejected').map((result) => String(result.reason)),
        [],
      );
      assert.equal((await family.refreshTokens.find('grant-c-rt'))?.consumed, T);
      assert.deepEqual(await family.alive(), ['grant-c', 'grant-c-rt', 'grant-c-rt2', 'grant-c-at']);
    });

    test('consumeAllowingRetry with no interval: 100 concurrent uses, one wins and the grant is revoked', async (t) => {
      const { oidcAdapter: Adapter } = await openStore(t);
      const family = await refreshFamily(Adapter, 'grant-z');
      const T = epochSeconds();
      const results = await Promise.allSettled(
        Array.from({ length: 100 }, () =>
          family.refreshTokens.consumeAllowingRetry('grant-z-rt', { now: T, reuseIntervalSeconds: 0 }),
        ),
      );
      assert.equal(results.filter((result) => result.status === 'fulfilled').length, 1);
      for (const result of results) {
        if (result.status === 'rejected')
          assert.equal((result.reason as { error?: unknown }).error, 'invalid_grant');
      }
      assert.deepEqual(await family.alive(), [null, null, null, null]);
    });

    test('consumeAllowingRetry of an unknown instance is invalid_grant', async (t) => {
      const { oidcAdapter: Adapter } = await openStore(t);
      await assert.rejects(
        new Adapter('RefreshToken').consumeAllowingRetry('nope', {
          now: epochSeconds(),
          reuseIntervalSeconds: 10,
        }),
        { error: 'invalid_grant' },
      );
    });

    test('consuming an unknown instance is invalid_grant', async (t) => {
      const { oidcAdapter: Adapter } = await openStore(t);
      await assert.rejects(new Adapter('AuthorizationCode').consume('nope'), { error: 'invalid_grant' });
    });

    test('Client is read from the clients repository and cannot be written', async (t) => {
      const store = await openStore(t);
      const web = { client_id: 'web', redirect_uris: ['https://app.example/cb'] };
      await store.clients.upsert(web);
      const clients = new store.oidcAdapter('Client');
      assert.deepEqual(await clients.find('web'), web);
      assert.equal(await clients.find('api'), undefined);
      await assert.rejects(clients.upsert('api', { client_id: 'api' }), TypeError);
      await assert.rejects(clients.destroy('web'), TypeError);
      assert.deepEqual(await store.clients.find('web'), web);
    });
  });
}
