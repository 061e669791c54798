import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { base64url } from 'jose';
import { encodeRedirectToken, type RedirectTokenBinding, verifyRedirectToken } from './redirect-token.ts';

const SECRET = 'a-secret-of-at-least-thirty-two-bytes!!';
const binding: RedirectTokenBinding = {
  issuer: 'https://id.example.com',
  subject: 'user-1',
  state: 'state-123',
  ip: '203.0.113.9',
  now: 1_700_000_000,
};

/** A token as an external site would sign it, with any header and claims. */
function sign(
  claims: Record<string, unknown>,
  header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' },
) {
  const input = `${base64url.encode(JSON.stringify(header))}.${base64url.encode(JSON.stringify(claims))}`;
  return `${input}.${base64url.encode(createHmac('sha256', SECRET).update(input).digest())}`;
}

const good = {
  iss: binding.issuer,
  sub: binding.subject,
  state: binding.state,
  exp: binding.now + 60,
  color: 'teal',
};

describe('redirect tokens (api.redirect.encodeToken / validateToken)', () => {
  test('encodeToken signs iss, sub, iat, exp, ip, state and the payload under `other` with HS256', () => {
    const token = encodeRedirectToken(
      { secret: SECRET, expiresInSeconds: 120, payload: { email: 'a@b.c' } },
      binding,
    );
    const [header = '', claims = ''] = token.split('.');
    assert.deepEqual(JSON.parse(Buffer.from(base64url.decode(header)).toString()), {
      alg: 'HS256',
      typ: 'JWT',
    });
    assert.deepEqual(JSON.parse(Buffer.from(base64url.decode(claims)).toString()), {
      iss: binding.issuer,
      sub: binding.subject,
      iat: binding.now,
      exp: binding.now + 120,
      ip: binding.ip,
      state: binding.state,
      other: { email: 'a@b.c' },
    });
    assert.equal(verifyRedirectToken(token, SECRET, binding).ok, true, 'its own tokens verify');
  });

  test('a token signed by the external site with the secret verifies and yields its claims', () => {
    const result = verifyRedirectToken(sign(good), SECRET, binding);
    assert.deepEqual(result, { ok: true, claims: good });
  });

  const refused: [string, string, string][] = [
    [
      'wrong secret',
      sign(good).replace(
        /\.[^.]+$/,
        `.${base64url.encode(createHmac('sha256', 'x'.repeat(32)).update('y').digest())}`,
      ),
      'signature',
    ],
    ['alg none', `${base64url.encode('{"alg":"none"}')}.${base64url.encode(JSON.stringify(good))}.`, 'alg'],
    ['alg HS512', sign(good, { alg: 'HS512' }), 'alg'],
    ['crit header', sign(good, { alg: 'HS256', crit: ['x'], x: 1 }), 'crit'],
    ['expired', sign({ ...good, exp: binding.now }), 'expired'],
    ['no exp', sign({ ...good, exp: undefined }), 'exp'],
    ['other issuer', sign({ ...good, iss: 'https://evil.example' }), 'iss'],
    ['other subject', sign({ ...good, sub: 'user-2' }), 'sub'],
    ['other login (state)', sign({ ...good, state: 'state-of-another-login' }), 'state'],
    ['not a JWS', 'abc', 'compact'],
    ['payload not an object', sign([1, 2] as unknown as Record<string, unknown>), 'object'],
  ];
  for (const [name, token, reason] of refused) {
    test(`refused: ${name}`, () => {
      const result = verifyRedirectToken(token, SECRET, binding);
      assert.equal(result.ok, false);
      if (!result.ok) assert.match(result.reason, new RegExp(reason));
    });
  }

  test('a secret shorter than 32 bytes is refused for signing (RFC 7518 3.2)', () => {
    assert.throws(
      () => encodeRedirectToken({ secret: 'short', expiresInSeconds: 60, payload: {} }, binding),
      TypeError,
    );
  });
});
