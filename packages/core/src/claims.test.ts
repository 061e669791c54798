import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasAmr, isAcrClaim, isAmrClaim, isNumericDate, readAuthContext } from './claims.ts';
import type { AuthContext } from './context.ts';
import { ACR_MULTI_FACTOR } from './ladder.ts';

// biome-ignore lint/suspicious/noSparseArray: a hole is the point of this case
const sparse = ['pwd', , 'mfa'];

const amrClaimCases: { name: string; input: unknown; expected: boolean }[] = [
  { name: 'array of strings', input: ['pwd', 'mfa'], expected: true },
  { name: 'empty array', input: [], expected: true },
  { name: 'unregistered strings are still strings', input: ['custom'], expected: true },
  { name: 'string "mfa"', input: 'mfa', expected: false },
  { name: 'string "nomfa"', input: 'nomfa', expected: false },
  { name: 'array-like object', input: { 0: 'mfa', length: 1 }, expected: false },
  { name: 'sparse array', input: sparse, expected: false },
  { name: 'array with a number', input: ['mfa', 1], expected: false },
  { name: 'array with null', input: ['mfa', null], expected: false },
  { name: 'nested array', input: [['mfa']], expected: false },
  { name: 'String object element', input: [new String('mfa')], expected: false },
  { name: 'null', input: null, expected: false },
  { name: 'undefined', input: undefined, expected: false },
];

for (const { name, input, expected } of amrClaimCases) {
  test(`isAmrClaim: ${name}`, () => {
    assert.equal(isAmrClaim(input), expected);
  });
}

const numericDateCases: { name: string; input: unknown; expected: boolean }[] = [
  { name: 'integer seconds', input: 1_700_000_000, expected: true },
  { name: 'zero', input: 0, expected: true },
  { name: 'largest safe integer', input: Number.MAX_SAFE_INTEGER, expected: true },
  { name: 'NaN', input: Number.NaN, expected: false },
  { name: 'Infinity', input: Number.POSITIVE_INFINITY, expected: false },
  { name: '-Infinity', input: Number.NEGATIVE_INFINITY, expected: false },
  { name: '1.5', input: 1.5, expected: false },
  { name: '-1', input: -1, expected: false },
  { name: 'string "123"', input: '123', expected: false },
  { name: 'beyond safe integers', input: 2 ** 53, expected: false },
  { name: 'bigint', input: 123n, expected: false },
  { name: 'Number object', input: new Number(123), expected: false },
  { name: 'null', input: null, expected: false },
];

for (const { name, input, expected } of numericDateCases) {
  test(`isNumericDate: ${name}`, () => {
    assert.equal(isNumericDate(input), expected);
  });
}

const acrClaimCases: { name: string; input: unknown; expected: boolean }[] = [
  { name: 'uri', input: ACR_MULTI_FACTOR, expected: true },
  { name: 'short value', input: '1', expected: true },
  { name: 'empty string', input: '', expected: false },
  { name: 'number', input: 2, expected: false },
  { name: 'array of one string', input: [ACR_MULTI_FACTOR], expected: false },
  { name: 'null', input: null, expected: false },
];

for (const { name, input, expected } of acrClaimCases) {
  test(`isAcrClaim: ${name}`, () => {
    assert.equal(isAcrClaim(input), expected);
  });
}

const good = { sub: 'u1', acr: ACR_MULTI_FACTOR, amr: ['mfa', 'otp', 'pwd'], auth_time: 1000 };

const readCases: { name: string; payload: unknown; expected: AuthContext | undefined }[] = [
  {
    name: 'well-formed',
    payload: good,
    expected: { acr: ACR_MULTI_FACTOR, amr: ['mfa', 'otp', 'pwd'], auth_time: 1000 },
  },
  {
    name: 'unregistered amr values kept',
    payload: { ...good, amr: ['pwd', 'x-custom'] },
    expected: { acr: ACR_MULTI_FACTOR, amr: ['pwd', 'x-custom'], auth_time: 1000 },
  },
  { name: 'missing acr', payload: { amr: good.amr, auth_time: 1000 }, expected: undefined },
  { name: 'missing amr', payload: { acr: good.acr, auth_time: 1000 }, expected: undefined },
  { name: 'missing auth_time', payload: { acr: good.acr, amr: good.amr }, expected: undefined },
  { name: 'empty acr', payload: { ...good, acr: '' }, expected: undefined },
  { name: 'string amr', payload: { ...good, amr: 'mfa' }, expected: undefined },
  { name: 'array-like amr', payload: { ...good, amr: { 0: 'mfa', length: 1 } }, expected: undefined },
  { name: 'sparse amr', payload: { ...good, amr: sparse }, expected: undefined },
  { name: 'auth_time as string', payload: { ...good, auth_time: '1000' }, expected: undefined },
  { name: 'auth_time NaN', payload: { ...good, auth_time: Number.NaN }, expected: undefined },
  {
    name: 'auth_time Infinity',
    payload: { ...good, auth_time: Number.POSITIVE_INFINITY },
    expected: undefined,
  },
  { name: 'auth_time 1.5', payload: { ...good, auth_time: 1.5 }, expected: undefined },
  { name: 'auth_time -1', payload: { ...good, auth_time: -1 }, expected: undefined },
  { name: 'all claims inherited', payload: Object.create(good), expected: undefined },
  {
    name: 'amr inherited',
    payload: Object.assign(Object.create({ amr: ['mfa'] }), { acr: good.acr, auth_time: 1000 }),
    expected: undefined,
  },
  {
    name: 'amr behind a getter',
    payload: {
      acr: good.acr,
      auth_time: 1000,
      get amr() {
        return ['mfa'];
      },
    },
    expected: undefined,
  },
  { name: 'null', payload: null, expected: undefined },
  { name: 'string', payload: 'acr', expected: undefined },
  { name: 'array', payload: [good], expected: undefined },
];

for (const { name, payload, expected } of readCases) {
  test(`readAuthContext: ${name}`, () => {
    assert.deepEqual(readAuthContext(payload), expected);
  });
}

test('readAuthContext copies amr', () => {
  const payload = { ...good, amr: ['pwd'] };
  const context = readAuthContext(payload);
  payload.amr.push('mfa');
  assert.deepEqual(context?.amr, ['pwd']);
});

const hasAmrCases: { name: string; payload: unknown; expected: boolean }[] = [
  { name: 'array holding mfa', payload: { amr: ['pwd', 'mfa'] }, expected: true },
  { name: 'array without mfa', payload: { amr: ['pwd', 'otp'] }, expected: false },
  { name: 'string "mfa"', payload: { amr: 'mfa' }, expected: false },
  { name: 'string "nomfa"', payload: { amr: 'nomfa' }, expected: false },
  { name: 'element "nomfa"', payload: { amr: ['nomfa'] }, expected: false },
  { name: 'upper case "MFA"', payload: { amr: ['MFA'] }, expected: false },
  { name: 'array-like object', payload: { amr: { 0: 'mfa', length: 1 } }, expected: false },
  { name: 'sparse array holding mfa', payload: { amr: sparse }, expected: false },
  { name: 'mfa beside a non-string', payload: { amr: ['mfa', 42] }, expected: false },
  { name: 'inherited amr', payload: Object.create({ amr: ['mfa'] }), expected: false },
  { name: 'no amr', payload: { acr: ACR_MULTI_FACTOR }, expected: false },
  { name: 'null payload', payload: null, expected: false },
  { name: 'undefined payload', payload: undefined, expected: false },
  { name: 'string payload', payload: '{"amr":["mfa"]}', expected: false },
];

for (const { name, payload, expected } of hasAmrCases) {
  test(`hasAmr(payload, 'mfa'): ${name}`, () => {
    assert.equal(hasAmr(payload, 'mfa'), expected);
  });
}

test('hasAmr throws a TypeError when the value is not a string', () => {
  assert.throws(() => hasAmr({ amr: ['mfa'] }, ['mfa'] as unknown as string), TypeError);
});
