import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ACR_MULTI_FACTOR, ACR_ONE_FACTOR, DEFAULT_ACR_LADDER, type ProvenMethod } from '@stepup/core';
import { readRequestedAuthentication } from '../oidc/requested-authentication.ts';
import { STEP_UP_REASON } from '../oidc/step-up-check.ts';
import { decideNextStep, type InteractionSituation, type NextStep } from './next-step.ts';

const NOW = 1_800_000_000;
const STARTED = NOW - 20;
/** What the browser session proved ten minutes ago: the password, then a TOTP step-up. */
const EARLIER: ProvenMethod[] = [
  { method: 'password', at: NOW - 600 },
  { method: 'totp', at: NOW - 590 },
];
const PASSWORD_HERE: ProvenMethod = { method: 'password', at: NOW - 10 };
const TOTP_HERE: ProvenMethod = { method: 'totp', at: NOW };

/** A login interaction of account "a", whose browser session holds {@link EARLIER}. */
function situation(
  params: Record<string, string>,
  reasons: string[],
  provenHere: ProvenMethod[],
): InteractionSituation {
  return {
    promptName: 'login',
    reasons,
    request: readRequestedAuthentication(params),
    sessionAccountId: 'a',
    sessionProofs: EARLIER,
    accountId: provenHere.length > 0 ? 'a' : undefined,
    proofs: provenHere,
    startedAt: STARTED,
  };
}

const asksTotp = (step: NextStep) => step.step === 'second-factor' && step.methods.includes('totp');
const finished = (step: NextStep) => (step.step === 'finish' ? step.context : step.step);

describe('decideNextStep on a forced re-authentication', () => {
  // oidc-provider hands max_age=0 on as prompt=login; read as sent, it forces all the same.
  const forcing: [string, Record<string, string>, string[]][] = [
    ['prompt=login', { prompt: 'login' }, ['login_prompt', STEP_UP_REASON]],
    ['max_age=0', { max_age: '0' }, [STEP_UP_REASON]],
  ];

  for (const [name, params, reasons] of forcing) {
    const mfa = { ...params, acr_values: ACR_MULTI_FACTOR };

    test(`${name}: the password first, though the session holds it`, () => {
      const step = decideNextStep(situation(mfa, reasons, []), DEFAULT_ACR_LADDER, NOW);
      assert.equal(step.step, 'password');
    });

    test(`${name}: after the password, the second factor again, though the session holds TOTP`, () => {
      const step = decideNextStep(situation(mfa, reasons, [PASSWORD_HERE]), DEFAULT_ACR_LADDER, NOW);
      assert.ok(asksTotp(step), `asks TOTP, not ${step.step}`);
    });

    test(`${name}: both proven here, the context is theirs alone`, () => {
      const step = decideNextStep(
        situation(mfa, reasons, [PASSWORD_HERE, TOTP_HERE]),
        DEFAULT_ACR_LADDER,
        NOW,
      );
      assert.deepEqual(finished(step), {
        acr: ACR_MULTI_FACTOR,
        amr: ['mfa', 'otp', 'pwd'],
        auth_time: PASSWORD_HERE.at,
      });
    });

    test(`${name} without acr_values: the password alone, amr ["pwd"]`, () => {
      const step = decideNextStep(situation(params, reasons, [PASSWORD_HERE]), DEFAULT_ACR_LADDER, NOW);
      assert.deepEqual(finished(step), { acr: ACR_ONE_FACTOR, amr: ['pwd'], auth_time: PASSWORD_HERE.at });
    });
  }

  test('without forcing, the session’s earlier proofs still serve a step-up', () => {
    const step = decideNextStep(
      situation({ acr_values: ACR_MULTI_FACTOR }, [STEP_UP_REASON], []),
      DEFAULT_ACR_LADDER,
      NOW,
    );
    assert.deepEqual(finished(step), {
      acr: ACR_MULTI_FACTOR,
      amr: ['mfa', 'otp', 'pwd'],
      auth_time: NOW - 600,
    });
  });

  test('max_age shorter than the age of TOTP asks it again, and the younger password still counts', () => {
    const request = { acr_values: ACR_MULTI_FACTOR, max_age: '120' };
    const sessionProofs = [...EARLIER, { method: 'password' as const, at: NOW - 60 }];
    const asked = decideNextStep(
      { ...situation(request, [STEP_UP_REASON], []), sessionProofs },
      DEFAULT_ACR_LADDER,
      NOW,
    );
    assert.ok(asksTotp(asked), `asks TOTP, not ${asked.step}`);
    const done = decideNextStep(
      { ...situation(request, [STEP_UP_REASON], [TOTP_HERE]), sessionProofs },
      DEFAULT_ACR_LADDER,
      NOW,
    );
    assert.deepEqual(finished(done), {
      acr: ACR_MULTI_FACTOR,
      amr: ['mfa', 'otp', 'pwd'],
      auth_time: NOW - 60,
    });
  });
});
