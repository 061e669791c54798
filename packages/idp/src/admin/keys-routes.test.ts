import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createLocalJWKSet, decodeProtectedHeader, errors, type JWK, jwtVerify } from 'jose';
import { longestTokenLifetime } from '../oidc/longest-token-lifetime.ts';
import { machineToken } from '../testing/management-tokens.ts';
import { startTestProvider, type TestProvider } from '../testing/test-provider.ts';
import {
  expectCallback,
  expectPage,
  submitPassword,
  TestRelyingParty,
} from '../testing/test-relying-party.ts';
import { isoTime } from './management-dependencies.ts';
import { FRESH_AUTH_SECONDS, openManagementFixture, PASSWORD } from './testing/management-fixture.ts';

interface KeyView {
  kid: string;
  alg: string;
  status: string;
  activates_at: string | null;
  retires_at: string | null;
}

async function publishedJwks(idp: TestProvider): Promise<{ keys: JWK[] }> {
  return (await (await fetch(`${idp.issuer}/.well-known/jwks.json`)).json()) as { keys: JWK[] };
}

async function publishedKids(idp: TestProvider): Promise<string[]> {
  return (await publishedJwks(idp)).keys.map((key) => String(key.kid)).sort();
}

describe('management API /keys', () => {
  test('a rotation publishes the new keys on every node first; they all start signing together at activates_at', async () => {
    // Every node checks the store every 300 s (no Redis): the new keys wait 2 × 300 + 30 s.
    const admin = { freshAuthSeconds: FRESH_AUTH_SECONDS, changeCheckSeconds: 300 };
    const f = await openManagementFixture({ admin });
    // A second node on the same store, checking for changes only when told to.
    const second = await startTestProvider({ dataDir: f.idp.dataDir, clock: f.clock, admin });
    let third: TestProvider | undefined;
    try {
      await f.idp.addClient({ client_id: 'app', token_endpoint_auth_method: 'none' });
      await f.person('alice', false);
      const rp = await TestRelyingParty.discover(f.idp.issuer, 'app', { token_endpoint_auth_method: 'none' });
      const login = await rp.authorizationUrl();
      const page = expectPage(await rp.open(login));
      const signedIn = await rp.redeem(
        expectCallback(await submitPassword(rp.browser, page.html, 'alice', PASSWORD)),
        login,
      );
      const oldIdToken = String(signedIn.id_token);
      const silentKid = async () => {
        const silent = await rp.authorizationUrl({ prompt: 'none' });
        return decodeProtectedHeader(
          String((await rp.redeem(expectCallback(await rp.open(silent)), silent)).id_token),
        ).kid;
      };

      const token = await f.machine(['read:keys', 'update:keys'], 'key-robot');
      const before = await f.call(token, 'GET', '/keys');
      const items = before.body.items as KeyView[];
      assert.deepEqual(
        items.map((key) => [key.alg, key.status, key.activates_at, key.retires_at]),
        [
          ['RS256', 'current', null, null],
          ['ES256', 'current', null, null],
          ['EdDSA', 'current', null, null],
        ],
      );
      assert.ok(!JSON.stringify(before.body).includes('"d"'), 'no private key material');
      const oldKids = items.map((key) => key.kid);
      assert.equal(decodeProtectedHeader(oldIdToken).kid, oldKids[0]);
      assert.equal(decodeProtectedHeader(token).kid, oldKids[0]);

      const readOnly = await f.machine(['read:keys']);
      const refused = await f.call(readOnly, 'POST', '/keys/rotate');
      assert.deepEqual([refused.status, refused.body.error?.details.scope], [403, 'update:keys']);
      assert.deepEqual(
        (await f.call(token, 'GET', '/keys')).body,
        before.body,
        'a refused rotation changes nothing',
      );

      const lifetime = await longestTokenLifetime(f.idp.stepup.config, f.idp.stepup.store.resourceServers);
      const rotatedFrom = f.clock();
      const rotated = await f.call(token, 'POST', '/keys/rotate');
      const rotatedTo = f.clock();
      assert.equal(rotated.status, 200);
      assert.equal(rotated.body.restart_required, false);
      const activatesAt = String(rotated.body.activates_at);
      assert.ok(
        [isoTime(rotatedFrom + 630), isoTime(rotatedTo + 630)].includes(activatesAt),
        `the new keys sign 2 × changeCheckSeconds + 30 s after the rotation, got ${activatesAt}`,
      );
      const activation = Date.parse(activatesAt) / 1000;
      const retiresAt = isoTime(activation + lifetime);
      const after = rotated.body.items as KeyView[];
      assert.deepEqual(
        after.map((key) => [key.alg, key.status, key.activates_at, key.retires_at]),
        [
          ['RS256', 'next', activatesAt, null],
          ['ES256', 'next', activatesAt, null],
          ['EdDSA', 'next', activatesAt, null],
          ['RS256', 'current', null, retiresAt],
          ['ES256', 'current', null, retiresAt],
          ['EdDSA', 'current', null, retiresAt],
        ],
        'the old keys retire one longest token lifetime after they stop signing',
      );
      assert.deepEqual(
        after.slice(3).map((key) => key.kid),
        oldKids,
      );
      const newKids = after.slice(0, 3).map((key) => key.kid);
      const events = await f.audit('admin.keys.rotated');
      assert.deepEqual(
        events.map((event) => event.details),
        [{ next: newKids, activates_at: activatesAt, retiring: oldKids }],
      );

      // Phase 1, this node: the JWKS lists both sets at once, but the old keys still sign.
      assert.deepEqual(await publishedKids(f.idp), [...newKids, ...oldKids].sort());
      const jwks = createLocalJWKSet(await publishedJwks(f.idp));
      const { payload } = await jwtVerify(oldIdToken, jwks, { issuer: f.idp.issuer, audience: 'app' });
      assert.equal(payload.sub, signedIn.claims()?.sub);
      assert.equal(await silentKid(), oldKids[0]);
      assert.equal(
        decodeProtectedHeader(await machineToken(f.idp, 'key-robot-2', ['read:keys'])).kid,
        oldKids[0],
      );

      // The other node publishes the new set once it checks, and still signs with the old keys.
      assert.deepEqual(await publishedKids(second), [...oldKids].sort(), 'not checked yet');
      await second.stepup.checkForChanges();
      assert.deepEqual(await publishedKids(second), [...newKids, ...oldKids].sort());
      assert.equal(
        decodeProtectedHeader(await machineToken(second, 'key-robot-3', ['read:keys'])).kid,
        oldKids[0],
      );
      // A node started now does not sign with a key that is not active yet either.
      third = await startTestProvider({ dataDir: f.idp.dataDir, clock: f.clock, admin });
      assert.deepEqual(await publishedKids(third), [...newKids, ...oldKids].sort());
      assert.equal(
        decodeProtectedHeader(await machineToken(third, 'key-robot-4', ['read:keys'])).kid,
        oldKids[0],
      );

      // Phase 2: one second before the activation nothing signs with the new keys; at it, every node does.
      f.advance(activation - 1 - f.clock());
      await f.idp.stepup.checkForChanges();
      assert.equal(await silentKid(), oldKids[0]);
      f.advance(activation - f.clock());
      for (const node of [f.idp, second, third]) await node.stepup.checkForChanges();
      assert.equal(await silentKid(), newKids[0]);
      for (const [index, node] of [f.idp, second, third].entries()) {
        const fresh = await machineToken(node, `key-robot-${5 + index}`, ['read:keys']);
        assert.equal(decodeProtectedHeader(fresh).kid, newKids[0]);
        assert.deepEqual(await publishedKids(node), [...newKids, ...oldKids].sort());
      }
      const fresh = await machineToken(f.idp, 'key-robot-8', ['read:keys']);
      const switched = await f.call(fresh, 'GET', '/keys');
      assert.deepEqual(
        (switched.body.items as KeyView[]).map((key) => [
          key.kid,
          key.status,
          key.activates_at,
          key.retires_at,
        ]),
        [
          ...newKids.map((kid) => [kid, 'current', activatesAt, null]),
          ...oldKids.map((kid) => [kid, 'previous', null, retiresAt]),
        ],
      );

      // Once every token the old keys signed has expired, they leave the JWKS.
      const retirement = Date.parse(retiresAt) / 1000;
      f.advance(retirement - 10 - f.clock());
      await f.idp.stepup.checkForChanges();
      assert.equal((await publishedKids(f.idp)).length, 6, 'still published just before');
      f.advance(retirement - f.clock());
      await f.idp.stepup.checkForChanges();
      await second.stepup.checkForChanges();
      assert.deepEqual(await publishedKids(f.idp), [...newKids].sort());
      assert.deepEqual(await publishedKids(second), [...newKids].sort());
      await assert.rejects(
        jwtVerify(oldIdToken, createLocalJWKSet(await publishedJwks(f.idp)), { issuer: f.idp.issuer }),
        errors.JWKSNoMatchingKey,
      );
      const late = await machineToken(f.idp, 'key-robot-9', ['read:keys']);
      const listed = await f.call(late, 'GET', '/keys');
      assert.deepEqual(
        (listed.body.items as KeyView[]).map((key) => [key.kid, key.status]),
        newKids.map((kid) => [kid, 'current']),
      );
    } finally {
      await third?.close({ removeData: false });
      await second.close({ removeData: false });
      await f.close();
    }
  });

  test('a second rotation before the first activates keeps every key that might have signed', async () => {
    const f = await openManagementFixture();
    try {
      const token = await f.machine(['read:keys', 'update:keys']);
      const first = await f.call(token, 'POST', '/keys/rotate');
      f.advance(10);
      const second = await f.call(token, 'POST', '/keys/rotate');
      const firstAt = Date.parse(String(first.body.activates_at)) / 1000;
      const secondAt = Date.parse(String(second.body.activates_at)) / 1000;
      assert.ok(secondAt > firstAt);
      assert.deepEqual(
        (second.body.items as KeyView[]).map((key) => [key.alg, key.status]),
        [
          ['RS256', 'next'],
          ['ES256', 'next'],
          ['EdDSA', 'next'],
          ['RS256', 'next'],
          ['ES256', 'next'],
          ['EdDSA', 'next'],
          ['RS256', 'current'],
          ['ES256', 'current'],
          ['EdDSA', 'current'],
        ],
      );
      const [latest, middle, original] = [0, 3, 6].map(
        (index) => (second.body.items as KeyView[])[index]?.kid,
      );
      const signingKid = async () =>
        decodeProtectedHeader(await machineToken(f.idp, `robot-at-${f.clock()}`, ['read:keys'])).kid;
      assert.equal(await signingKid(), original);
      f.advance(firstAt - f.clock());
      await f.idp.stepup.checkForChanges();
      assert.equal(await signingKid(), middle, 'the first rotation activates on its own schedule');
      f.advance(secondAt - f.clock());
      await f.idp.stepup.checkForChanges();
      assert.equal(await signingKid(), latest);
      assert.equal((await publishedKids(f.idp)).length, 9, 'both older sets verify until they retire');
    } finally {
      await f.close();
    }
  });

  test('keys rotated by an older build (retirement not dated) are dated at the next start', async () => {
    const f = await openManagementFixture();
    const { keys } = f.idp.stepup.store;
    const jwks = JSON.parse(String(await keys.get('signing-jwks'))) as { keys: JWK[] };
    const oldKid = String(jwks.keys[0]?.kid);
    // What the previous build stored: a new key first, the old one after it with no removal date.
    const newKey = { ...jwks.keys[0], kid: 'rs256-new' };
    await keys.set('signing-jwks', JSON.stringify({ keys: [newKey, ...jwks.keys] }));
    await keys.set('signing-key-retirement', JSON.stringify({ [oldKid]: null }));
    const { dataDir } = f.idp;
    await f.idp.close({ removeData: false });
    const restarted = await startTestProvider({ dataDir });
    try {
      const retirement = JSON.parse(String(await restarted.stepup.store.keys.get('signing-key-retirement')));
      assert.equal(typeof retirement[oldKid], 'number');
      assert.ok((await publishedKids(restarted)).includes(oldKid));
    } finally {
      await restarted.close();
    }
  });
});
