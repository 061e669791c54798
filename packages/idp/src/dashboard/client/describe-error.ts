import { ApiError } from './api-error.ts';

/** A sentence for the operator about a failed call: the API's message, plus what to do for some codes. */
export function describeError(error: unknown): string {
  if (!(error instanceof ApiError)) {
    return error instanceof TypeError
      ? 'The provider could not be reached. Check the connection and try again.'
      : 'Something went wrong. Reload the page and try again.';
  }
  switch (error.code) {
    case 'missing_scope':
      return `Your sign-in lacks the permission ${String(error.details.scope ?? '')}. Sign out and in again.`;
    case 'not_admin':
      return 'Your account is not an operator of this provider. Ask an operator to give you the admin role.';
    case 'insufficient_user_authentication':
      return 'This needs a recent sign-in with your second factor, and it did not happen. Try again.';
    case 'invalid_token':
      return 'Your sign-in has ended. Reload the page to sign in again.';
    default:
      return error.message;
  }
}
