import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { allowStyleNonce } from './dashboard-content-security-policy.ts';

describe('allowStyleNonce', () => {
  test('adds the nonce to style-src and leaves every other directive as it was', () => {
    assert.equal(
      allowStyleNonce("default-src 'none';style-src 'self';script-src 'self'", 'abc+/09='),
      "default-src 'none';style-src 'self' 'nonce-abc+/09=';script-src 'self'",
    );
  });

  test('adds a style-src when the policy has none', () => {
    assert.equal(
      allowStyleNonce("default-src 'none'", 'n0nce'),
      "default-src 'none';style-src 'self' 'nonce-n0nce'",
    );
  });

  test('refuses a nonce that could end the source expression', () => {
    assert.throws(() => allowStyleNonce("style-src 'self'", "x' 'unsafe-inline"), TypeError);
  });
});
