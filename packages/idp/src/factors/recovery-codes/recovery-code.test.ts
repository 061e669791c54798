import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  generateRecoveryCode,
  generateRecoveryCodeSet,
  hashRecoveryCode,
  normalizeRecoveryCode,
  RECOVERY_CODES_PER_SET,
} from './recovery-code.ts';

test('a code is two groups of five Crockford base32 symbols, drawn from the random source', () => {
  const bytes = Uint8Array.from([0, 1, 9, 10, 31, 32, 63, 200, 255, 17]);
  // Low 5 bits: 0 1 9 10 31 0 31 8 31 17 → 0 1 9 A Z 0 Z 8 Z H
  assert.equal(
    generateRecoveryCode(() => bytes),
    '019AZ-0Z8ZH',
  );
  assert.match(generateRecoveryCode(), /^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/);
});

test('a set holds distinct codes, even from a source that repeats itself', () => {
  let call = 0;
  const repeating = (size: number) => new Uint8Array(size).fill(call++ < 3 ? 0 : call);
  const codes = generateRecoveryCodeSet(4, repeating);
  assert.equal(codes.length, 4);
  assert.equal(new Set(codes).size, 4);
  assert.equal(generateRecoveryCodeSet().length, RECOVERY_CODES_PER_SET);
});

test('normalization ignores case, spaces and dashes, and reads O, I and L as digits', () => {
  assert.equal(normalizeRecoveryCode('7qkxm-2hd9r'), '7QKXM2HD9R');
  assert.equal(normalizeRecoveryCode(' 7QKXM 2HD9R '), '7QKXM2HD9R');
  assert.equal(normalizeRecoveryCode('OIL00-11111'), '0110011111');
  assert.equal(normalizeRecoveryCode('7QKXM-2HD9'), undefined, 'too short');
  assert.equal(normalizeRecoveryCode('7QKXM-2HD9RR'), undefined, 'too long');
  assert.equal(normalizeRecoveryCode('7QKXM-2HD9U'), undefined, 'U is not in the alphabet');
  assert.equal(normalizeRecoveryCode(''), undefined);
});

test('the hash depends on the user, so one table cannot serve every account', () => {
  const code = '7QKXM2HD9R';
  assert.equal(hashRecoveryCode('user-1', code), hashRecoveryCode('user-1', code));
  assert.notEqual(hashRecoveryCode('user-1', code), hashRecoveryCode('user-2', code));
  assert.doesNotMatch(hashRecoveryCode('user-1', code), /7QKXM/);
});
