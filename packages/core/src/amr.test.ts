import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AMR_VALUES, isAmrValue } from './amr.ts';

test('AMR_VALUES holds the 21 RFC 8176 section 2 values, frozen', () => {
  assert.deepEqual(
    [...AMR_VALUES],
    [
      'face',
      'fpt',
      'geo',
      'hwk',
      'iris',
      'kba',
      'mca',
      'mfa',
      'otp',
      'pin',
      'pop',
      'pwd',
      'rba',
      'retina',
      'sc',
      'sms',
      'swk',
      'tel',
      'user',
      'vbm',
      'wia',
    ],
  );
  assert.equal(Object.isFrozen(AMR_VALUES), true);
});

const isAmrValueCases: { name: string; input: unknown; expected: boolean }[] = [
  { name: 'mfa', input: 'mfa', expected: true },
  { name: 'retina', input: 'retina', expected: true },
  { name: 'upper case', input: 'MFA', expected: false },
  { name: 'padded', input: ' mfa', expected: false },
  { name: 'substring of a value', input: 'ret', expected: false },
  { name: 'empty string', input: '', expected: false },
  { name: 'array holding a value', input: ['mfa'], expected: false },
  { name: 'String object', input: new String('mfa'), expected: false },
  { name: 'undefined', input: undefined, expected: false },
  { name: 'prototype key', input: 'constructor', expected: false },
];

for (const { name, input, expected } of isAmrValueCases) {
  test(`isAmrValue: ${name}`, () => {
    assert.equal(isAmrValue(input), expected);
  });
}
