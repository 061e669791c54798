import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAmrValue } from './amr.ts';
import { AUTHENTICATION_METHODS, isMethodName } from './methods.ts';

test('AUTHENTICATION_METHODS describes each method exactly', () => {
  assert.deepEqual(JSON.parse(JSON.stringify(AUTHENTICATION_METHODS)), {
    password: { amr: ['pwd'], factors: ['knowledge'], phishingResistant: false },
    totp: { amr: ['otp'], factors: ['possession'], phishingResistant: false },
    push: { amr: ['swk'], factors: ['possession'], phishingResistant: false },
    'security-key': { amr: ['hwk'], factors: ['possession'], phishingResistant: true },
    'security-key-verified': {
      amr: ['hwk', 'user'],
      factors: ['possession', 'inherence'],
      phishingResistant: true,
    },
    passkey: { amr: ['swk', 'user'], factors: ['possession', 'inherence'], phishingResistant: true },
    'recovery-code': { amr: ['otp'], factors: ['possession'], phishingResistant: false },
    'email-otp': { amr: ['otp'], factors: ['possession'], phishingResistant: false },
  });
});

test('AUTHENTICATION_METHODS is deeply frozen and uses only RFC 8176 values', () => {
  assert.equal(Object.isFrozen(AUTHENTICATION_METHODS), true);
  for (const [name, method] of Object.entries(AUTHENTICATION_METHODS)) {
    assert.equal(Object.isFrozen(method), true, name);
    assert.equal(Object.isFrozen(method.amr), true, name);
    assert.equal(Object.isFrozen(method.factors), true, name);
    assert.equal(method.amr.every(isAmrValue), true, name);
    assert.equal(method.amr.includes('mfa'), false, `${name} must not claim mfa by itself`);
  }
});

const isMethodNameCases: { name: string; input: unknown; expected: boolean }[] = [
  { name: 'password', input: 'password', expected: true },
  { name: 'security-key-verified', input: 'security-key-verified', expected: true },
  { name: 'email-otp', input: 'email-otp', expected: true },
  { name: 'an amr value, not a method', input: 'otp', expected: false },
  { name: 'inherited key toString', input: 'toString', expected: false },
  { name: '__proto__', input: '__proto__', expected: false },
  { name: 'upper case', input: 'TOTP', expected: false },
  { name: 'non-string', input: 1, expected: false },
];

for (const { name, input, expected } of isMethodNameCases) {
  test(`isMethodName: ${name}`, () => {
    assert.equal(isMethodName(input), expected);
  });
}
