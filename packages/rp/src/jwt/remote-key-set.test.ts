import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { exportJWK } from 'jose';
import { RemoteKeySet } from './remote-key-set.ts';

const URI = new URL('https://idp.example/jwks');

test('only public signature keys that fit the algorithm are used; private, oct, encryption and short RSA keys are not', async () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const short = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const keys = [
    { ...(await exportJWK(rsa.publicKey)), kid: 'rsa' },
    { ...(await exportJWK(rsa.privateKey)), kid: 'private' },
    { kty: 'oct', k: 'c2VjcmV0', kid: 'oct' },
    { ...(await exportJWK(rsa.publicKey)), kid: 'enc', use: 'enc' },
    { ...(await exportJWK(short.publicKey)), kid: 'short' },
    { ...(await exportJWK(ec.publicKey)), kid: 'ec' },
    { ...(await exportJWK(rsa.publicKey)), kid: 'ps-only', alg: 'PS256' },
  ];
  const set = new RemoteKeySet(URI, { fetch: async () => Response.json({ keys }) });
  await set.load();
  assert.ok(await set.getKey('RS256', 'rsa'));
  assert.ok(await set.getKey('ES256', 'ec'));
  for (const [alg, kid] of [
    ['RS256', 'private'],
    ['RS256', 'oct'],
    ['RS256', 'enc'],
    ['RS256', 'short'],
    ['RS256', 'ec'],
    ['ES384', 'ec'],
    ['RS256', 'ps-only'],
  ] as const) {
    await assert.rejects(set.getKey(alg, kid), { code: 'key_not_found' }, `${alg} ${kid}`);
  }
  assert.equal(set.fetchCount, 1, 'refusals within the cooldown do not refetch');
});

test('without a kid the key must be the only candidate', async () => {
  const one = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const two = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const set = new RemoteKeySet(URI, {
    fetch: async () =>
      Response.json({ keys: [await exportJWK(one.publicKey), await exportJWK(two.publicKey)] }),
  });
  await assert.rejects(set.getKey('ES256', undefined), { code: 'key_not_found' });
});

test('a JWKS that is too large, not a key set, or unreachable is jwks_unavailable, and is not hammered', async () => {
  let calls = 0;
  let now = 1_000;
  const huge = new RemoteKeySet(URI, {
    fetch: async () => {
      calls++;
      return new Response('x'.repeat(70_000));
    },
    clock: () => now,
  });
  await assert.rejects(huge.load(), { code: 'jwks_unavailable' });
  await assert.rejects(huge.getKey('RS256', 'a'), { code: 'jwks_unavailable' });
  assert.equal(calls, 1, 'within the cooldown, no new request');
  now += 31;
  await assert.rejects(huge.getKey('RS256', 'a'), { code: 'jwks_unavailable' });
  assert.equal(calls, 2);
  const notASet = new RemoteKeySet(URI, { fetch: async () => Response.json({ keys: 'nope' }) });
  await assert.rejects(notASet.load(), { code: 'jwks_unavailable' });
  const down = new RemoteKeySet(URI, { fetch: async () => new Response('', { status: 500 }) });
  await assert.rejects(down.load(), { code: 'jwks_unavailable' });
});
