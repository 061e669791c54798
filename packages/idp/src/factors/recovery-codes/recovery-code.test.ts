import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  generateRecoveryCode,
  generateRecoveryCodeSet,
  hashRecoveryCode,
  normalizeRecoveryCode,
  RECOVERY_CODES_PER_SET,
} from './recovery-code.ts';

test('a code is six groups of four Crockford base32 symbols (120 bits), drawn from the random source', () => {
  const bytes = Uint8Array.from([
    0, 1, 9, 10, 31, 32, 63, 200, 255, 17, 2, 3, 4, 5, 6, 7, 8, 11, 12, 13, 14, 15, 16, 18,
  ]);
  // Low 5 bits: 0 1 9 10 | 31 0 31 8 | 31 17 2 3 | 4 5 6 7 | 8 11 12 13 | 14 15 16 18
  assert.equal(
    generateRecoveryCode(() => bytes),
    '019A-Z0Z8-ZH23-4567-8BCD-EFGJ',
  );
  assert.match(generateRecoveryCode(), /^([0-9A-HJKMNP-TV-Z]{4}-){5}[0-9A-HJKMNP-TV-Z]{4}$/);
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
  assert.equal(normalizeRecoveryCode('019a-z0z8-zh23-4567-8bcd-efgj'), '019AZ0Z8ZH2345678BCDEFGJ');
  assert.equal(normalizeRecoveryCode('019A-Z0Z8-ZH23-4567-8BCD-EFG'), undefined, '23 symbols');
  // Codes of releases before, ten symbols, still read (their hash is checked under argon2id).
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
