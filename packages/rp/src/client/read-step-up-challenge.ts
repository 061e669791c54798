import { INSUFFICIENT_USER_AUTHENTICATION, parseBearerChallenges } from '@stepup/core';

/**
 * The authorization request parameters an RFC 9470 challenge asks for.
 *
 * @example
 * ```ts
 * const next: StepUpParameters = { acr_values: ACR_MULTI_FACTOR, max_age: 300 };
 * ```
 */
export interface StepUpParameters {
  /** Space-separated acr values, as they go into the authorization request. */
  acr_values?: string;
  max_age?: number;
}

/**
 * Reads an API's answer: when it is a 401 with an RFC 9470 `insufficient_user_authentication`
 * challenge, the `acr_values` and `max_age` to put in the next authorization request; otherwise
 * undefined (`invalid_token` and `insufficient_scope` are other problems, not a step-up).
 *
 * @example
 * ```ts
 * const response = await fetch('https://api.example.com/salary', { headers: { authorization: `Bearer ${token}` } });
 * const next = readStepUpChallenge(response);
 * if (next) return Response.redirect(rp.loginUrl({ returnTo: '/salary', ...next }));
 * ```
 */
export function readStepUpChallenge(response: Response): StepUpParameters | undefined {
  if (response.status !== 401) return undefined;
  const header = response.headers.get('www-authenticate');
  if (header === null) return undefined;
  const challenge = parseBearerChallenges(header).find(
    (item) => item.error === INSUFFICIENT_USER_AUTHENTICATION,
  );
  if (challenge === undefined) return undefined;
  const parameters: StepUpParameters = {};
  if (challenge.acr_values !== undefined && challenge.acr_values.trim() !== '') {
    parameters.acr_values = challenge.acr_values.trim().split(/ +/).join(' ');
  }
  if (challenge.max_age !== undefined) parameters.max_age = challenge.max_age;
  return parameters;
}
