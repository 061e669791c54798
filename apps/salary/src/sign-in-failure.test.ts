import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { describeSignInFailure, type SignInFailure } from './sign-in-failure.ts';

const base: SignInFailure = {
  code: 'authorization_error',
  providerError: 'unmet_authentication_requirements',
  providerDescription: 'the push request was denied',
  stepUp: true,
  signedIn: true,
};

describe('describeSignInFailure', () => {
  test('a refused step-up: try the salary page again, or go back to the profile; the provider is quoted', () => {
    const problem = describeSignInFailure(base);
    assert.equal(problem.action?.href, '/salary');
    assert.equal(problem.secondary?.href, '/profile');
    assert.equal(problem.said, 'the push request was denied');
    assert.equal(problem.technical?.code, 'authorization_error (unmet_authentication_requirements)');
    // The way out when the phone is not at hand is the sign-in page's own button, named as it is there.
    assert.ok(problem.steps.some((step) => step.includes('“Try another way”')));
  });

  test('someone not signed in is not told they still are, and goes back to the start page', () => {
    const problem = describeSignInFailure({ ...base, signedIn: false });
    assert.doesNotMatch(problem.message, /still signed in/);
    assert.equal(problem.secondary?.href, '/');
  });

  test('a first sign-in refused by the provider (an Action’s access.deny) offers a new sign-in', () => {
    const problem = describeSignInFailure({
      ...base,
      providerError: 'access_denied',
      providerDescription: 'Contractors may not use this application.',
      stepUp: false,
      signedIn: false,
    });
    assert.equal(problem.action?.href, '/profile');
    assert.equal(problem.said, 'Contractors may not use this application.');
  });

  test('a step-up the provider ignored (the loop guard) asks to try again, and quotes nothing', () => {
    const problem = describeSignInFailure({
      code: 'step_up_unmet',
      providerError: undefined,
      providerDescription: undefined,
      stepUp: true,
      signedIn: true,
    });
    assert.equal(problem.action?.href, '/salary');
    assert.equal(problem.said, undefined);
    assert.equal(problem.technical?.code, 'step_up_unmet');
  });

  test('each kind of failure has its own title', () => {
    const codes = [
      'transaction_missing',
      'token_request_failed',
      'client_authentication_failed',
      'signature_invalid',
      'step_up_unmet',
    ] as const;
    const titles = new Set(
      [...codes.map((code) => describeSignInFailure({ ...base, code })), describeSignInFailure(base)].map(
        (problem) => problem.title,
      ),
    );
    assert.equal(titles.size, codes.length + 1);
  });

  test('the app’s own credentials refused: says invalid_client and that SALARY_CLIENT_SECRET needs setting', () => {
    const problem = describeSignInFailure({
      ...base,
      code: 'client_authentication_failed',
      providerError: undefined,
    });
    assert.equal(problem.technical?.code, 'client_authentication_failed');
    assert.match(problem.message, /\(invalid_client\)/);
    assert.ok(
      problem.steps.some((step) => step.includes('SALARY_CLIENT_SECRET') && step.includes('restart')),
    );
  });
});
