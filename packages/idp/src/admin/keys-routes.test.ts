import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeProtectedHeader } from 'jose';
import { startTestProvider } from '../testing/test-provider.ts';
import { openManagementFixture } from './testing/management-fixture.ts';

describe('management API /keys', () => {
  test('rotation keeps the old keys published, signs with the new ones after a restart', async () => {
    const f = await openManagementFixture();
    const token = await f.machine(['read:keys', 'update:keys'], 'key-robot');
    const before = await f.call(token, 'GET', '/keys');
    const items = before.body.items as {
      kid: string;
      alg: string;
      status: string;
      retires_at: string | null;
    }[];
    assert.deepEqual(
      items.map((key) => [key.alg, key.status]),
      [
        ['RS256', 'current'],
        ['ES256', 'current'],
        ['EdDSA', 'current'],
      ],
    );
    assert.ok(!JSON.stringify(before.body).includes('"d"'), 'no private key material');
    const oldRs256 = items[0]?.kid;
    assert.equal(decodeProtectedHeader(token).kid, oldRs256);

    const readOnly = await f.machine(['read:keys']);
    const refused = await f.call(readOnly, 'POST', '/keys/rotate');
    assert.deepEqual([refused.status, refused.body.error?.details.scope], [403, 'update:keys']);
    assert.deepEqual(
      (await f.call(token, 'GET', '/keys')).body,
      before.body,
      'a refused rotation changes nothing',
    );

    const rotated = await f.call(token, 'POST', '/keys/rotate');
    assert.equal(rotated.status, 200);
    assert.equal(rotated.body.restart_required, true);
    const after = rotated.body.items as { kid: string; status: string; retires_at: string | null }[];
    assert.equal(after.length, 6);
    assert.deepEqual(
      after.slice(3).map((key) => [key.kid, key.status, key.retires_at]),
      items.map((key) => [key.kid, 'previous', null]),
    );
    assert.equal((await f.audit('admin.keys.rotated')).length, 1);
    // Until the restart, tokens are still signed with the old key and still accepted.
    assert.equal((await f.call(token, 'GET', '/keys')).status, 200);

    const { dataDir } = f.idp;
    const port = Number(new URL(f.idp.issuer).port);
    await f.idp.close({ removeData: false });
    const restarted = await startTestProvider({ dataDir, port });
    try {
      const jwks = (await (await fetch(`${restarted.issuer}/.well-known/jwks.json`)).json()) as {
        keys: { kid: string }[];
      };
      assert.deepEqual(
        jwks.keys.map((key) => key.kid).sort(),
        after.map((key) => key.kid).sort(),
        'old and new keys are published',
      );
      const secret = 'key-robot-secret-0123456789abcdefghijkl';
      const response = await fetch(`${restarted.issuer}/oauth/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`key-robot:${secret}`).toString('base64')}` },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          resource: `${restarted.issuer}/api/v1`,
          scope: 'read:keys',
        }),
      });
      const { access_token: fresh } = (await response.json()) as { access_token: string };
      assert.equal(decodeProtectedHeader(fresh).kid, after[0]?.kid, 'the new RS256 key signs');
      const listed = await fetch(`${restarted.issuer}/api/v1/keys`, {
        headers: { authorization: `Bearer ${fresh}` },
      });
      const keys = ((await listed.json()) as { items: { status: string; retires_at: string | null }[] })
        .items;
      assert.ok(
        keys.slice(3).every((key) => key.status === 'previous' && key.retires_at !== null),
        'retirement dated at start',
      );
    } finally {
      await restarted.close();
    }
  });
});
