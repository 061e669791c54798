import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertBearerIdKeys, hashBearerId, isHashedBearerId } from './bearer-id-hash.ts';
import { withHashedBearerIds } from './hashed-bearer-id-adapter.ts';

test('hashBearerId is HMAC-SHA256, base64url, after the marker (RFC 4231 section 4.3, test case 2)', () => {
  const expected = Buffer.from('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843', 'hex');
  const stored = hashBearerId(Buffer.from('Jefe'), 'what do ya want for nothing?');
  assert.equal(stored, `hmac:${expected.toString('base64url')}`);
  assert.equal(isHashedBearerId(stored), true);
  // oidc-provider's ids are base64url: none of them reads as hashed.
  assert.equal(isHashedBearerId('hmacAbc-_0123'), false);
});

test('an empty key list or a short key is a TypeError before anything is stored', () => {
  assert.throws(() => assertBearerIdKeys([]), TypeError);
  assert.throws(() => assertBearerIdKeys([Buffer.alloc(32), Buffer.alloc(31)]), TypeError);
  assert.doesNotThrow(() => assertBearerIdKeys([Buffer.alloc(32)]));
  assert.throws(() => withHashedBearerIds(class {} as never, []), TypeError);
});
