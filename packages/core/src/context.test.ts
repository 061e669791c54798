import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type AuthContext, computeAuthContext } from './context.ts';
import {
  ACR_MULTI_FACTOR,
  ACR_ONE_FACTOR,
  ACR_PHISHING_RESISTANT,
  AcrLadder,
  DEFAULT_ACR_LADDER,
} from './ladder.ts';
import type { ProvenMethod } from './methods.ts';

const NOW = 1_700_000_000;
const TWELVE_HOURS = 43_200;

const cases: {
  name: string;
  methods: ProvenMethod[];
  notBefore?: number;
  ladder?: AcrLadder;
  expected: AuthContext | undefined;
}[] = [
  { name: 'no proofs', methods: [], expected: undefined },
  {
    name: 'password only is one factor',
    methods: [{ method: 'password', at: NOW - 60 }],
    expected: { acr: ACR_ONE_FACTOR, amr: ['pwd'], auth_time: NOW - 60 },
  },
  {
    name: 'totp only is one factor',
    methods: [{ method: 'totp', at: NOW - 5 }],
    expected: { acr: ACR_ONE_FACTOR, amr: ['otp'], auth_time: NOW - 5 },
  },
  {
    name: 'password + totp is multi-factor from the password time',
    methods: [
      { method: 'password', at: NOW - 120 },
      { method: 'totp', at: NOW - 60 },
    ],
    expected: { acr: ACR_MULTI_FACTOR, amr: ['mfa', 'otp', 'pwd'], auth_time: NOW - 120 },
  },
  {
    name: 'password + push is multi-factor',
    methods: [
      { method: 'push', at: NOW - 10 },
      { method: 'password', at: NOW - 30 },
    ],
    expected: { acr: ACR_MULTI_FACTOR, amr: ['mfa', 'pwd', 'swk'], auth_time: NOW - 30 },
  },
  {
    name: 'totp older than the multi-factor maxAge falls back to one factor without mfa',
    methods: [
      { method: 'totp', at: NOW - TWELVE_HOURS - 1 },
      { method: 'password', at: NOW - 60 },
    ],
    expected: { acr: ACR_ONE_FACTOR, amr: ['otp', 'pwd'], auth_time: NOW - TWELVE_HOURS - 1 },
  },
  {
    name: 'totp exactly at the multi-factor maxAge still counts',
    methods: [
      { method: 'totp', at: NOW - TWELVE_HOURS },
      { method: 'password', at: NOW - 60 },
    ],
    expected: { acr: ACR_MULTI_FACTOR, amr: ['mfa', 'otp', 'pwd'], auth_time: NOW - TWELVE_HOURS },
  },
  {
    name: 'notBefore excludes the old password',
    methods: [
      { method: 'password', at: NOW - 600 },
      { method: 'totp', at: NOW - 60 },
    ],
    notBefore: NOW - 300,
    expected: { acr: ACR_ONE_FACTOR, amr: ['otp'], auth_time: NOW - 60 },
  },
  {
    name: 'a proof exactly at notBefore counts',
    methods: [
      { method: 'password', at: NOW - 300 },
      { method: 'totp', at: NOW - 60 },
    ],
    notBefore: NOW - 300,
    expected: { acr: ACR_MULTI_FACTOR, amr: ['mfa', 'otp', 'pwd'], auth_time: NOW - 300 },
  },
  {
    name: 'notBefore after every proof leaves nothing',
    methods: [{ method: 'password', at: NOW - 600 }],
    notBefore: NOW - 300,
    expected: undefined,
  },
  {
    name: 'a proof in the future is ignored',
    methods: [
      { method: 'password', at: NOW - 60 },
      { method: 'totp', at: NOW + 1 },
    ],
    expected: { acr: ACR_ONE_FACTOR, amr: ['pwd'], auth_time: NOW - 60 },
  },
  {
    name: 'only the latest proof of a method counts',
    methods: [
      { method: 'password', at: NOW - 100_000 },
      { method: 'totp', at: NOW - 60 },
      { method: 'password', at: NOW - 120 },
    ],
    expected: { acr: ACR_MULTI_FACTOR, amr: ['mfa', 'otp', 'pwd'], auth_time: NOW - 120 },
  },
  {
    name: 'a future proof does not hide an earlier proof of the same method',
    methods: [
      { method: 'password', at: NOW - 120 },
      { method: 'password', at: NOW + 3600 },
      { method: 'totp', at: NOW - 60 },
    ],
    expected: { acr: ACR_MULTI_FACTOR, amr: ['mfa', 'otp', 'pwd'], auth_time: NOW - 120 },
  },
  {
    name: 'security key + password is phishing-resistant',
    methods: [
      { method: 'password', at: NOW - 90 },
      { method: 'security-key', at: NOW - 30 },
    ],
    expected: { acr: ACR_PHISHING_RESISTANT, amr: ['hwk', 'mfa', 'pwd'], auth_time: NOW - 90 },
  },
  {
    name: 'security key alone proves possession only',
    methods: [{ method: 'security-key', at: NOW - 30 }],
    expected: { acr: ACR_ONE_FACTOR, amr: ['hwk'], auth_time: NOW - 30 },
  },
  {
    name: 'user-verified security key alone is phishing-resistant',
    methods: [{ method: 'security-key-verified', at: NOW - 30 }],
    expected: { acr: ACR_PHISHING_RESISTANT, amr: ['hwk', 'mfa', 'user'], auth_time: NOW - 30 },
  },
  {
    name: 'passkey alone is phishing-resistant',
    methods: [{ method: 'passkey', at: NOW - 30 }],
    expected: { acr: ACR_PHISHING_RESISTANT, amr: ['mfa', 'swk', 'user'], auth_time: NOW - 30 },
  },
  {
    name: 'totp + push are both possession: not mfa',
    methods: [
      { method: 'totp', at: NOW - 60 },
      { method: 'push', at: NOW - 30 },
    ],
    expected: { acr: ACR_ONE_FACTOR, amr: ['otp', 'swk'], auth_time: NOW - 60 },
  },
  {
    name: 'recovery code + email otp are both possession: not mfa',
    methods: [
      { method: 'recovery-code', at: NOW - 60 },
      { method: 'email-otp', at: NOW - 30 },
    ],
    expected: { acr: ACR_ONE_FACTOR, amr: ['otp'], auth_time: NOW - 60 },
  },
  {
    name: 'a stale security key does not make multi-factor phishing-resistant',
    methods: [
      { method: 'security-key', at: NOW - TWELVE_HOURS - 10 },
      { method: 'password', at: NOW - 120 },
      { method: 'totp', at: NOW - 60 },
    ],
    expected: { acr: ACR_MULTI_FACTOR, amr: ['mfa', 'otp', 'pwd'], auth_time: NOW - 120 },
  },
  {
    name: 'a ladder whose lowest level needs two factors is not met by a password',
    methods: [{ method: 'password', at: NOW - 60 }],
    ladder: new AcrLadder([{ acr: 'urn:example:strong', factors: 2 }]),
    expected: undefined,
  },
  {
    name: 'a ladder with a short one-factor maxAge drops an old password',
    methods: [{ method: 'password', at: NOW - 301 }],
    ladder: new AcrLadder([{ acr: 'urn:example:fresh', factors: 1, maxAge: 300 }]),
    expected: undefined,
  },
];

for (const { name, methods, notBefore, ladder, expected } of cases) {
  test(`computeAuthContext: ${name}`, () => {
    const options = notBefore === undefined ? { now: NOW } : { now: NOW, notBefore };
    assert.deepEqual(computeAuthContext(methods, ladder ?? DEFAULT_ACR_LADDER, options), expected);
  });
}

const misuse: { name: string; methods: unknown[]; now?: number; notBefore?: number }[] = [
  { name: 'unknown method', methods: [{ method: 'sms', at: NOW }] },
  { name: 'inherited method name', methods: [{ method: 'toString', at: NOW }] },
  { name: 'NaN time', methods: [{ method: 'password', at: Number.NaN }] },
  { name: 'fractional time', methods: [{ method: 'password', at: NOW - 0.5 }] },
  { name: 'string time', methods: [{ method: 'password', at: String(NOW) }] },
  { name: 'null proof', methods: [null] },
  { name: 'NaN now', methods: [], now: Number.NaN },
  { name: 'infinite notBefore', methods: [], notBefore: Number.POSITIVE_INFINITY },
];

for (const { name, methods, now, notBefore } of misuse) {
  test(`computeAuthContext throws a TypeError on ${name}`, () => {
    const options = notBefore === undefined ? { now: now ?? NOW } : { now: now ?? NOW, notBefore };
    assert.throws(
      () => computeAuthContext(methods as ProvenMethod[], DEFAULT_ACR_LADDER, options),
      TypeError,
    );
  });
}

test('computeAuthContext never claims mfa without two factor kinds, for any pair of methods', () => {
  const names = ['password', 'totp', 'push', 'security-key', 'recovery-code', 'email-otp'] as const;
  for (const first of names) {
    for (const second of names) {
      const context = computeAuthContext(
        [
          { method: first, at: NOW - 10 },
          { method: second, at: NOW - 5 },
        ],
        DEFAULT_ACR_LADDER,
        { now: NOW },
      );
      const twoKinds = (first === 'password') !== (second === 'password');
      assert.equal(context?.amr.includes('mfa'), twoKinds, `${first} + ${second}`);
    }
  }
});
