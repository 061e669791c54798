import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ACR_MULTI_FACTOR, ACR_ONE_FACTOR, createAcrLadder, type ProvenMethod } from '@stepup/core';
import { readRequestedAuthentication } from '../oidc/requested-authentication.ts';
import { evaluateSession } from './evaluate-session.ts';

const NOW = 1_800_000_000;
const LADDER = createAcrLadder([
  { acr: ACR_ONE_FACTOR, factors: 1 },
  { acr: ACR_MULTI_FACTOR, factors: 2, maxAge: 300 },
]);

/** What a request with `params` gives for `sessionProofs`: the level and when it was reached. */
function evaluate(
  sessionProofs: ProvenMethod[],
  params: Record<string, string> = {},
  interaction?: { proofs: ProvenMethod[]; startedAt: number },
) {
  const { context, acrTime } = evaluateSession({
    sessionProofs,
    request: readRequestedAuthentication(params),
    ladder: LADDER,
    now: NOW,
    ...(interaction ? { interaction } : {}),
  });
  return { acr: context?.acr, auth_time: context?.auth_time, acrTime };
}

test('acrTime is the latest proof behind the level: the second factor after the password', () => {
  const proofs: ProvenMethod[] = [
    { method: 'password', at: NOW - 60 },
    { method: 'push', at: NOW - 10 },
  ];
  assert.deepEqual(evaluate(proofs), { acr: ACR_MULTI_FACTOR, auth_time: NOW - 60, acrTime: NOW - 10 });
});

test('once the MFA level has expired, acrTime is the latest proof behind the one-factor level', () => {
  const proofs: ProvenMethod[] = [
    { method: 'password', at: NOW - 1000 },
    { method: 'totp', at: NOW - 900 },
  ];
  assert.deepEqual(evaluate(proofs), { acr: ACR_ONE_FACTOR, auth_time: NOW - 1000, acrTime: NOW - 900 });
});

test('max_age leaves out older proofs, and a proof later than now never counts', () => {
  const proofs: ProvenMethod[] = [
    { method: 'password', at: NOW - 100 },
    { method: 'totp', at: NOW - 500 },
    { method: 'push', at: NOW + 5 },
  ];
  assert.deepEqual(evaluate(proofs, { max_age: '200' }), {
    acr: ACR_ONE_FACTOR,
    auth_time: NOW - 100,
    acrTime: NOW - 100,
  });
});

test('prompt=login counts only what the interaction proved', () => {
  const session: ProvenMethod[] = [
    { method: 'password', at: NOW - 60 },
    { method: 'push', at: NOW - 50 },
  ];
  const interaction = { proofs: [{ method: 'password', at: NOW - 5 } as ProvenMethod], startedAt: NOW - 20 };
  assert.deepEqual(evaluate(session, { prompt: 'login' }, interaction), {
    acr: ACR_ONE_FACTOR,
    auth_time: NOW - 5,
    acrTime: NOW - 5,
  });
});

test('nothing proven: no level, no acrTime', () => {
  assert.deepEqual(evaluate([]), { acr: undefined, auth_time: undefined, acrTime: undefined });
});
