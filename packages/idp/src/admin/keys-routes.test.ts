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
import { openManagementFixture, PASSWORD } from './testing/management-fixture.ts';

interface KeyView {
  kid: string;
  alg: string;
  status: string;
  retires_at: string | null;
}

async function publishedJwks(idp: TestProvider): Promise<{ keys: JWK[] }> {
  return (await (await fetch(`${idp.issuer}/.well-known/jwks.json`)).json()) as { keys: JWK[] };
}

async function publishedKids(idp: TestProvider): Promise<string[]> {
  return (await publishedJwks(idp)).keys.map((key) => String(key.kid)).sort();
}

describe('management API /keys', () => {
  test('a rotation signs with the new keys at once on every node; old keys stay published until their tokens expire', async () => {
    const f = await openManagementFixture();
    // A second node on the same store, checking for changes only when told to.
    const second = await startTestProvider({
      dataDir: f.idp.dataDir,
      clock: f.clock,
      admin: { changeCheckSeconds: 300 },
    });
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

      const token = await f.machine(['read:keys', 'update:keys'], 'key-robot');
      const before = await f.call(token, 'GET', '/keys');
      const items = before.body.items as KeyView[];
      assert.deepEqual(
        items.map((key) => [key.alg, key.status, key.retires_at]),
        [
          ['RS256', 'current', null],
          ['ES256', 'current', null],
          ['EdDSA', 'current', null],
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
      const after = rotated.body.items as KeyView[];
      assert.deepEqual(
        after.map((key) => [key.alg, key.status]),
        [
          ['RS256', 'current'],
          ['ES256', 'current'],
          ['EdDSA', 'current'],
          ['RS256', 'previous'],
          ['ES256', 'previous'],
          ['EdDSA', 'previous'],
        ],
      );
      assert.deepEqual(
        after.slice(3).map((key) => key.kid),
        oldKids,
      );
      const retiresAt = after[3]?.retires_at;
      assert.ok(
        [isoTime(rotatedFrom + lifetime), isoTime(rotatedTo + lifetime)].includes(String(retiresAt)),
        `old keys retire one longest token lifetime after the rotation, got ${retiresAt}`,
      );
      assert.ok(after.slice(3).every((key) => key.retires_at === retiresAt));
      const newKids = after.slice(0, 3).map((key) => key.kid);
      const events = await f.audit('admin.keys.rotated');
      assert.deepEqual(
        events.map((event) => event.details),
        [{ current: newKids, retiring: oldKids }],
      );

      // This node: the JWKS lists both sets, the old token still verifies, the next tokens use the new key.
      assert.deepEqual(await publishedKids(f.idp), [...newKids, ...oldKids].sort());
      const jwks = createLocalJWKSet(await publishedJwks(f.idp));
      const { payload } = await jwtVerify(oldIdToken, jwks, { issuer: f.idp.issuer, audience: 'app' });
      assert.equal(payload.sub, signedIn.claims()?.sub);
      assert.equal((await f.call(token, 'GET', '/keys')).status, 200, 'the old access token still works');
      // The session survives the rotation (cookie keys do not change): silent sign-in, new key.
      const silent = await rp.authorizationUrl({ prompt: 'none' });
      const refreshed = await rp.redeem(expectCallback(await rp.open(silent)), silent);
      assert.equal(decodeProtectedHeader(String(refreshed.id_token)).kid, newKids[0]);
      const fresh = await machineToken(f.idp, 'key-robot-2', ['read:keys']);
      assert.equal(decodeProtectedHeader(fresh).kid, newKids[0]);
      assert.equal((await f.call(fresh, 'GET', '/keys')).status, 200);

      // The other node serves the new set once it checks, without a restart.
      assert.deepEqual(await publishedKids(second), [...oldKids].sort(), 'not checked yet');
      await second.stepup.checkForChanges();
      assert.deepEqual(await publishedKids(second), [...newKids, ...oldKids].sort());
      const fromSecond = await machineToken(second, 'key-robot-3', ['read:keys']);
      assert.equal(decodeProtectedHeader(fromSecond).kid, newKids[0]);

      // Once every token the old keys signed has expired, they leave the JWKS.
      const retirement = Date.parse(String(retiresAt)) / 1000;
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
      const listed = await f.call(fresh, 'GET', '/keys');
      assert.deepEqual(
        (listed.body.items as KeyView[]).map((key) => [key.kid, key.status]),
        newKids.map((kid) => [kid, 'current']),
      );
    } finally {
      await second.close({ removeData: false });
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
