import type { StepupRpErrorCode } from '@stepup/rp';
import type { Problem } from './views/problem-page.ts';

/** What is known about a sign-in that came back without a session. */
export interface SignInFailure {
  /** The code `@stepup/rp` handed to `errorPage`; undefined if it reported none. */
  code: StepupRpErrorCode | undefined;
  /** The provider's `error` and `error_description` from the callback URL, when it sent them. */
  providerError: string | undefined;
  providerDescription: string | undefined;
  /** True when the sign-in was the salary page's step-up (not a first sign-in). */
  stepUp: boolean;
  /** True when the person still has a session from before. */
  signedIn: boolean;
}

const TRY_SALARY_AGAIN = { href: '/salary', label: 'Try again' };

/**
 * Says why a sign-in or step-up ended without the page, and what to do — in words, never with an
 * automatic redirect (the loop guard of ARCHITECTURE.md invariant 5). The provider's own words are
 * quoted as its: they reach this page only on a callback whose `state` matched this browser's sign-in,
 * so they come from the provider, and they are escaped like any text.
 */
export function describeSignInFailure(failure: SignInFailure): Problem {
  const { code = 'unknown', providerError, signedIn } = failure;
  const technical = { code: providerError === undefined ? code : `${code} (${providerError})` };
  const said =
    code === 'authorization_error' && failure.providerDescription
      ? { said: failure.providerDescription }
      : {};
  const out = signedIn
    ? { href: '/profile', label: 'Back to your profile' }
    : { href: '/', label: 'Back to the start page' };
  const stillSignedIn = signedIn ? ' You are still signed in for everything else.' : '';

  if (code === 'authorization_error' && failure.stepUp) {
    return {
      title: 'The second step did not go through',
      message:
        'The salary page needs a second step, such as approving the sign-in request on your phone. ' +
        `That step was denied, cancelled or not finished, so the page stays closed.${stillSignedIn}`,
      steps: [
        'Denied the request by mistake? Try again, and on your phone pick the number the sign-in page shows.',
        'No phone at hand? On the sign-in page choose “Try another way” to use a code or a security key.',
        'Got a request you did not start? Deny it, and change your password.',
      ],
      action: TRY_SALARY_AGAIN,
      secondary: out,
      ...said,
      technical,
    };
  }
  if (code === 'authorization_error') {
    return {
      title: providerError === 'access_denied' ? 'Sign-in was refused' : 'Sign-in did not complete',
      message: 'The sign-in service did not sign you in, so nothing here changed.',
      steps: [
        'Cancelled by mistake? Start again, and finish the sign-in on the sign-in page.',
        'Refused by a rule of your organisation? Ask your administrator.',
      ],
      action: { href: '/profile', label: 'Sign in again' },
      secondary: out,
      ...said,
      technical,
    };
  }
  if (code === 'authorization_details_mismatch' || code === 'approval_stale') {
    return {
      title: 'The approval did not match your change',
      message:
        code === 'approval_stale'
          ? 'The sign-in service confirmed an approval given before you asked for this change, so it cannot be for it. Nothing was changed.'
          : 'What was approved is not the payout account you entered (it may have been altered on the way), or the approval did not say what it was for. Nothing was changed.',
      steps: [
        'Enter the new account again, and check that your phone shows exactly that IBAN and holder before you approve.',
        'If your phone showed an account you did not enter, deny it and tell your payroll team.',
      ],
      action: { href: '/payout-account', label: 'Back to the payout account' },
      secondary: out,
      technical,
    };
  }
  if (code === 'step_up_unmet') {
    return {
      title: 'The sign-in did not include a second step',
      message:
        'The sign-in service signed you in, but without the second factor the salary page needs, so the ' +
        `page stays closed. You were not sent back again automatically.${stillSignedIn}`,
      steps: [
        'Try again, and finish the second step on the sign-in page.',
        'If this keeps happening, the sign-in service does not ask for a second factor for this app: tell your administrator.',
      ],
      action: TRY_SALARY_AGAIN,
      secondary: out,
      technical,
    };
  }
  if (code === 'transaction_missing' || code === 'transaction_replayed') {
    return {
      title: 'This sign-in has expired',
      message:
        'The sign-in was started too long ago, in another browser, or was already used. Nothing here changed.',
      steps: ['Start again from the page you wanted to open.'],
      action: failure.stepUp ? TRY_SALARY_AGAIN : { href: '/profile', label: 'Sign in again' },
      secondary: out,
      technical,
    };
  }
  if (code === 'client_authentication_failed') {
    return {
      title: 'This app is not set up to sign in',
      message:
        'The sign-in service refused this app’s own credentials (invalid_client): the app’s client secret ' +
        'is wrong or missing. Your password was not the problem, and nothing here changed.',
      steps: [
        'If you run this app: set SALARY_CLIENT_SECRET to the client secret the sign-in service gave for it (`stepup-idp client add` prints it once), then restart the app.',
        'Otherwise tell your administrator.',
      ],
      action: { href: '/profile', label: 'Try again' },
      secondary: out,
      technical,
    };
  }
  if (code === 'discovery_failed' || code === 'jwks_unavailable' || code === 'token_request_failed') {
    return {
      title: 'The sign-in service could not be reached',
      message: 'We could not finish your sign-in with the sign-in service. Nothing here changed.',
      steps: ['Wait a moment and try again.', 'If it keeps happening, tell your administrator.'],
      action: { href: '/profile', label: 'Try again' },
      secondary: out,
      technical,
    };
  }
  return {
    title: 'We could not verify your sign-in',
    message:
      'The answer from the sign-in service did not pass this app’s checks, so you were not signed in with it.',
    steps: ['Start again.', 'If it keeps happening, tell your administrator and quote the error code.'],
    action: { href: '/profile', label: 'Sign in again' },
    secondary: out,
    technical,
  };
}
