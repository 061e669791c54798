import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuthContext } from './context.ts';
import { ACR_MULTI_FACTOR, ACR_ONE_FACTOR, ACR_PHISHING_RESISTANT, DEFAULT_ACR_LADDER } from './ladder.ts';
import {
  type EvaluateRequirementOptions,
  evaluateRequirement,
  minimumLevel,
  type Requirement,
  type RequirementResult,
  satisfies,
} from './requirement.ts';

const NOW = 1_700_000_000;
const multiFactor: AuthContext = { acr: ACR_MULTI_FACTOR, amr: ['mfa', 'otp', 'pwd'], auth_time: NOW - 100 };
const oneFactor: AuthContext = { acr: ACR_ONE_FACTOR, amr: ['otp', 'pwd'], auth_time: NOW - 100 };

// A hole in `amr` that would read 'mfa' through its prototype.
function amrWithInheritedMfa(): string[] {
  const amr: string[] = ['pwd'];
  amr.length = 2;
  Object.setPrototypeOf(amr, Object.assign(Object.create(Array.prototype), { 1: 'mfa' }));
  return amr;
}

const cases: {
  name: string;
  context: AuthContext | undefined;
  requirement: Requirement;
  skew?: number;
  expected: RequirementResult;
}[] = [
  {
    name: 'no context',
    context: undefined,
    requirement: {},
    expected: { satisfied: false, unmet: ['authentication'] },
  },
  {
    name: 'no context, whatever is required',
    context: undefined,
    requirement: { acr: [ACR_ONE_FACTOR], amr: ['mfa'], maxAge: 10 },
    expected: { satisfied: false, unmet: ['authentication'] },
  },
  { name: 'empty requirement', context: oneFactor, requirement: {}, expected: { satisfied: true } },
  {
    name: 'same acr',
    context: multiFactor,
    requirement: { acr: [ACR_MULTI_FACTOR] },
    expected: { satisfied: true },
  },
  {
    name: 'higher rank satisfies a lower request',
    context: multiFactor,
    requirement: { acr: [ACR_ONE_FACTOR] },
    expected: { satisfied: true },
  },
  {
    name: 'lower rank does not satisfy a higher request',
    context: oneFactor,
    requirement: { acr: [ACR_MULTI_FACTOR] },
    expected: { satisfied: false, unmet: ['acr'] },
  },
  {
    name: 'multi-factor does not satisfy phishing-resistant',
    context: multiFactor,
    requirement: { acr: [ACR_PHISHING_RESISTANT] },
    expected: { satisfied: false, unmet: ['acr'] },
  },
  {
    name: 'any of several: the lowest known value decides',
    context: multiFactor,
    requirement: { acr: [ACR_PHISHING_RESISTANT, ACR_MULTI_FACTOR] },
    expected: { satisfied: true },
  },
  {
    name: 'unknown values are ignored beside known ones',
    context: oneFactor,
    requirement: { acr: ['urn:unknown', ACR_ONE_FACTOR] },
    expected: { satisfied: true },
  },
  {
    name: 'only unknown values: unmet',
    context: multiFactor,
    requirement: { acr: ['urn:unknown'] },
    expected: { satisfied: false, unmet: ['acr'] },
  },
  {
    name: 'empty acr list: unmet',
    context: multiFactor,
    requirement: { acr: [] },
    expected: { satisfied: false, unmet: ['acr'] },
  },
  {
    name: 'context acr unknown to the ladder',
    context: { ...multiFactor, acr: 'urn:other:gold' },
    requirement: { acr: [ACR_ONE_FACTOR] },
    expected: { satisfied: false, unmet: ['acr'] },
  },
  {
    name: 'amr mfa present',
    context: multiFactor,
    requirement: { amr: ['mfa'] },
    expected: { satisfied: true },
  },
  {
    name: 'amr: all values required',
    context: multiFactor,
    requirement: { amr: ['mfa', 'hwk'] },
    expected: { satisfied: false, unmet: ['amr'] },
  },
  {
    name: 'amr mfa absent from one factor',
    context: oneFactor,
    requirement: { amr: ['mfa'] },
    expected: { satisfied: false, unmet: ['amr'] },
  },
  {
    name: 'amr compared exactly, not by substring',
    context: { ...oneFactor, amr: ['nomfa', 'MFA'] },
    requirement: { amr: ['mfa'] },
    expected: { satisfied: false, unmet: ['amr'] },
  },
  {
    name: 'amr only from own elements',
    context: { ...oneFactor, amr: amrWithInheritedMfa() },
    requirement: { amr: ['mfa'] },
    expected: { satisfied: false, unmet: ['amr'] },
  },
  {
    name: 'maxAge exactly reached',
    context: oneFactor,
    requirement: { maxAge: 100 },
    expected: { satisfied: true },
  },
  {
    name: 'maxAge exceeded by one second',
    context: oneFactor,
    requirement: { maxAge: 99 },
    expected: { satisfied: false, unmet: ['max_age'] },
  },
  {
    name: 'maxAge exceeded within skew',
    context: oneFactor,
    requirement: { maxAge: 99 },
    skew: 1,
    expected: { satisfied: true },
  },
  {
    name: 'maxAge exceeded beyond skew',
    context: oneFactor,
    requirement: { maxAge: 98 },
    skew: 1,
    expected: { satisfied: false, unmet: ['max_age'] },
  },
  {
    name: 'maxAge 0 with a fresh authentication',
    context: { ...oneFactor, auth_time: NOW },
    requirement: { maxAge: 0 },
    expected: { satisfied: true },
  },
  {
    name: 'every unmet part, in order',
    context: oneFactor,
    requirement: { acr: [ACR_MULTI_FACTOR], amr: ['mfa'], maxAge: 10 },
    expected: { satisfied: false, unmet: ['acr', 'amr', 'max_age'] },
  },
  {
    name: 'everything met',
    context: multiFactor,
    requirement: { acr: [ACR_MULTI_FACTOR], amr: ['mfa', 'otp'], maxAge: 300 },
    expected: { satisfied: true },
  },
];

for (const { name, context, requirement, skew, expected } of cases) {
  test(`evaluateRequirement / satisfies: ${name}`, () => {
    const options: EvaluateRequirementOptions =
      skew === undefined
        ? { ladder: DEFAULT_ACR_LADDER, now: NOW }
        : { ladder: DEFAULT_ACR_LADDER, now: NOW, skew };
    assert.deepEqual(evaluateRequirement(context, requirement, options), expected);
    assert.equal(satisfies(context, requirement, options), expected.satisfied);
  });
}

const misuse: { name: string; requirement: Requirement; options: Partial<EvaluateRequirementOptions> }[] = [
  { name: 'negative maxAge', requirement: { maxAge: -1 }, options: {} },
  { name: 'NaN maxAge', requirement: { maxAge: Number.NaN }, options: {} },
  { name: 'negative skew', requirement: {}, options: { skew: -5 } },
  { name: 'infinite skew', requirement: {}, options: { skew: Number.POSITIVE_INFINITY } },
  { name: 'NaN now', requirement: {}, options: { now: Number.NaN } },
];

for (const { name, requirement, options } of misuse) {
  test(`evaluateRequirement throws a TypeError on ${name}`, () => {
    assert.throws(
      () =>
        evaluateRequirement(multiFactor, requirement, { ladder: DEFAULT_ACR_LADDER, now: NOW, ...options }),
      TypeError,
    );
  });
}

const minimumCases: { name: string; requested: string[]; expected: string | undefined }[] = [
  { name: 'one known value', requested: [ACR_MULTI_FACTOR], expected: ACR_MULTI_FACTOR },
  {
    name: 'lowest of several, whatever their order',
    requested: [ACR_PHISHING_RESISTANT, ACR_ONE_FACTOR, ACR_MULTI_FACTOR],
    expected: ACR_ONE_FACTOR,
  },
  {
    name: 'unknown values ignored',
    requested: ['urn:a', ACR_PHISHING_RESISTANT, 'urn:b'],
    expected: ACR_PHISHING_RESISTANT,
  },
  { name: 'only unknown values', requested: ['urn:a'], expected: undefined },
  { name: 'empty', requested: [], expected: undefined },
];

for (const { name, requested, expected } of minimumCases) {
  test(`minimumLevel: ${name}`, () => {
    const level = minimumLevel(requested, DEFAULT_ACR_LADDER);
    assert.equal(level, expected === undefined ? undefined : DEFAULT_ACR_LADDER.level(expected));
  });
}
