import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { configSchema } from '../../config/config-schema.ts';
import { matchTotpStep, totpCodeAt } from './totp.ts';

// RFC 6238 Appendix B: the SHA-1 seed is the ASCII string "12345678901234567890" (this is its base32),
// and the table's 8-digit codes end in the 6-digit codes an authenticator app shows.
const RFC_SEED = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const RFC_VECTORS: [seconds: number, code: string][] = [
  [59, '287082'],
  [1111111109, '081804'],
  [1111111111, '050471'],
  [1234567890, '005924'],
  [2000000000, '279037'],
  [20000000000, '353130'],
];

describe('TOTP (RFC 6238)', () => {
  test('codes match the RFC 6238 test vectors, and each matches its own time step', () => {
    for (const [seconds, code] of RFC_VECTORS) {
      assert.equal(totpCodeAt(RFC_SEED, seconds), code, `T = ${seconds}`);
      assert.equal(matchTotpStep(RFC_SEED, code, seconds, 0), Math.floor(seconds / 30));
    }
  });

  test('with the default skew of one step, the neighbours are accepted and two steps away is refused', () => {
    const now = 1111111111;
    const step = Math.floor(now / 30);
    const codeAtStep = (offset: number) => totpCodeAt(RFC_SEED, (step + offset) * 30);
    assert.equal(matchTotpStep(RFC_SEED, codeAtStep(-1), now, 1), step - 1);
    assert.equal(matchTotpStep(RFC_SEED, codeAtStep(1), now, 1), step + 1);
    assert.equal(matchTotpStep(RFC_SEED, codeAtStep(-2), now, 1), undefined);
    assert.equal(matchTotpStep(RFC_SEED, codeAtStep(2), now, 1), undefined);
  });

  test('the skew is configurable: 0 accepts only the current step, 2 accepts two either side', () => {
    const now = 1234567890;
    const step = Math.floor(now / 30);
    const codeAtStep = (offset: number) => totpCodeAt(RFC_SEED, (step + offset) * 30);
    assert.equal(matchTotpStep(RFC_SEED, codeAtStep(0), now, 0), step);
    assert.equal(matchTotpStep(RFC_SEED, codeAtStep(-1), now, 0), undefined);
    assert.equal(matchTotpStep(RFC_SEED, codeAtStep(2), now, 2), step + 2);
    assert.equal(matchTotpStep(RFC_SEED, codeAtStep(-3), now, 2), undefined);
    assert.equal(configSchema.parse({}).factors.totp.skewSteps, 1);
    assert.equal(configSchema.safeParse({ factors: { totp: { skewSteps: 3 } } }).success, false);
  });

  test('anything but six digits is refused before any comparison', () => {
    for (const code of ['', '28708', '2870820', '28708a', ' 287082', '２８７０８２']) {
      assert.equal(matchTotpStep(RFC_SEED, code, 59, 1), undefined, JSON.stringify(code));
    }
  });
});
