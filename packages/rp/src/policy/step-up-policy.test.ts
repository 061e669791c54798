import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ACR_MULTI_FACTOR, ACR_ONE_FACTOR, ACR_PHISHING_RESISTANT, DEFAULT_ACR_LADDER } from '@stepup/core';
import { evaluatePolicy } from './evaluate-policy.ts';
import { resolvePolicy } from './step-up-policy.ts';

const NOW = 1_700_000_000;
const options = { ladder: DEFAULT_ACR_LADDER, now: NOW, skew: 30 };

test('an amr-only mfa policy asks for the multi-factor acr, as the seed does', () => {
  assert.deepEqual(resolvePolicy('p', { amr: ['mfa'] }, DEFAULT_ACR_LADDER).acrValues, [ACR_MULTI_FACTOR]);
  assert.deepEqual(resolvePolicy('p', { amr: ['hwk'] }, DEFAULT_ACR_LADDER).acrValues, []);
  assert.deepEqual(resolvePolicy('p', { acr: [ACR_PHISHING_RESISTANT] }, DEFAULT_ACR_LADDER).acrValues, [
    ACR_PHISHING_RESISTANT,
  ]);
  assert.deepEqual(resolvePolicy('p', { maxAge: 0, acrValues: ['urn:x'] }, DEFAULT_ACR_LADDER).acrValues, [
    'urn:x',
  ]);
});

test('evaluatePolicy: absent claims never satisfy what is asked of them', () => {
  const acr = resolvePolicy('p', { acr: [ACR_MULTI_FACTOR] }, DEFAULT_ACR_LADDER);
  const amr = resolvePolicy('p', { amr: ['mfa'] }, DEFAULT_ACR_LADDER);
  const fresh = resolvePolicy('p', { maxAge: 60 }, DEFAULT_ACR_LADDER);
  assert.deepEqual(evaluatePolicy({}, acr, options), { satisfied: false, unmet: ['acr'] });
  assert.deepEqual(evaluatePolicy({}, amr, options), { satisfied: false, unmet: ['amr'] });
  assert.deepEqual(evaluatePolicy({}, fresh, options), { satisfied: false, unmet: ['max_age'] });
  assert.deepEqual(evaluatePolicy({ acr: ACR_PHISHING_RESISTANT }, acr, options), { satisfied: true });
  assert.deepEqual(evaluatePolicy({ acr: ACR_ONE_FACTOR }, acr, options), {
    satisfied: false,
    unmet: ['acr'],
  });
  assert.deepEqual(evaluatePolicy({ amr: ['nomfa'] }, amr, options), { satisfied: false, unmet: ['amr'] });
  assert.deepEqual(
    evaluatePolicy({ auth_time: NOW - 90 }, fresh, options),
    { satisfied: true },
    'within max age + skew',
  );
  assert.deepEqual(evaluatePolicy({ auth_time: NOW - 91 }, fresh, options), {
    satisfied: false,
    unmet: ['max_age'],
  });
  const all = resolvePolicy('p', { acr: [ACR_MULTI_FACTOR], amr: ['mfa'], maxAge: 60 }, DEFAULT_ACR_LADDER);
  assert.deepEqual(evaluatePolicy({ acr: ACR_ONE_FACTOR, amr: ['pwd'] }, all, options), {
    satisfied: false,
    unmet: ['acr', 'amr', 'max_age'],
  });
});
