import type { ActionFailure } from '../action-error-codes.ts';
import { isJsonObject, type JsonValue } from '../json-value.ts';
import { MAX_VALUE_BYTES, type RecordedApiCall, type SandboxArgument } from '../post-login-api.ts';
import {
  encodeRedirectToken,
  MIN_REDIRECT_SECRET_BYTES,
  verifyRedirectToken,
} from '../redirect/redirect-token.ts';
import type { SandboxRequest } from './sandbox-protocol.ts';

/** Auth0's default lifetime of a token from `encodeToken`. */
export const DEFAULT_REDIRECT_TOKEN_SECONDS = 900;
/** Longer is refused: the login the token belongs to does not outlive its interaction (one hour). */
export const MAX_REDIRECT_TOKEN_SECONDS = 3600;
const MAX_TOKEN_LENGTH = 16 * 1024;

/** What the `api.redirect` methods see of the request. */
export type RedirectRequest = Pick<SandboxRequest, 'entry' | 'redirect' | 'continueParams'>;

type Answer = { ok: true; value: JsonValue } | { ok: false; failure: ActionFailure };

const invalidCall = (detail: string): Answer => ({
  ok: false,
  failure: { code: 'action_invalid_call', detail },
});

/**
 * Why `api.redirect.sendUserTo` can not be called here, if it can not: in a flow with no browser to
 * send (silent authentication, refresh), from `onContinuePostLogin`, or a second time.
 */
export function sendUserToProblem(
  request: RedirectRequest,
  calls: readonly RecordedApiCall[],
): string | undefined {
  if (!request.redirect) return 'api.redirect.sendUserTo: this login has no browser to redirect';
  if (request.entry === 'onContinuePostLogin') {
    return 'api.redirect.sendUserTo: redirect from onExecutePostLogin only';
  }
  if (calls.some((call) => call.method === 'redirect.sendUserTo')) {
    return 'api.redirect.sendUserTo: called twice in one execution';
  }
  return undefined;
}

/**
 * `api.redirect.encodeToken` and `validateToken`, which answer the script at once (Auth0 scripts use
 * their results synchronously). The token binding comes from the host, never from the script.
 */
export function answerRedirectMethod(
  method: 'redirect.encodeToken' | 'redirect.validateToken',
  args: readonly SandboxArgument[],
  request: RedirectRequest,
): Answer {
  const options = args[0];
  if (options?.kind !== 'json' || !isJsonObject(options.value)) {
    return invalidCall(`api.${method}: expects an options object`);
  }
  const { secret, ...rest } = options.value;
  if (typeof secret !== 'string' || Buffer.byteLength(secret) < MIN_REDIRECT_SECRET_BYTES) {
    return invalidCall(
      `api.${method}: secret must be a string of at least ${MIN_REDIRECT_SECRET_BYTES} bytes`,
    );
  }
  const binding = request.redirect;
  if (!binding) return invalidCall(`api.${method}: this login has no browser to redirect`);

  if (method === 'redirect.encodeToken') {
    const { expiresInSeconds = DEFAULT_REDIRECT_TOKEN_SECONDS, payload = {}, ...unknown } = rest;
    if (Object.keys(unknown).length > 0) {
      return invalidCall(`api.${method}: unknown option(s) ${Object.keys(unknown).join(', ')}`);
    }
    if (
      typeof expiresInSeconds !== 'number' ||
      !Number.isInteger(expiresInSeconds) ||
      expiresInSeconds < 1 ||
      expiresInSeconds > MAX_REDIRECT_TOKEN_SECONDS
    ) {
      return invalidCall(
        `api.${method}: expiresInSeconds must be an integer from 1 to ${MAX_REDIRECT_TOKEN_SECONDS}`,
      );
    }
    if (!isJsonObject(payload) || Buffer.byteLength(JSON.stringify(payload)) > MAX_VALUE_BYTES) {
      return invalidCall(
        `api.${method}: payload must be an object of at most ${MAX_VALUE_BYTES} bytes as JSON`,
      );
    }
    return { ok: true, value: encodeRedirectToken({ secret, expiresInSeconds, payload }, binding) };
  }

  const { tokenParameterName = 'session_token', ...unknown } = rest;
  if (Object.keys(unknown).length > 0) {
    return invalidCall(`api.${method}: unknown option(s) ${Object.keys(unknown).join(', ')}`);
  }
  if (typeof tokenParameterName !== 'string')
    return invalidCall(`api.${method}: tokenParameterName must be a string`);
  if (request.entry !== 'onContinuePostLogin' || !request.continueParams) {
    return invalidCall(`api.${method}: available in onContinuePostLogin only`);
  }
  const token = Object.hasOwn(request.continueParams, tokenParameterName)
    ? request.continueParams[tokenParameterName]
    : undefined;
  if (token === undefined || token === '' || token.length > MAX_TOKEN_LENGTH) {
    return {
      ok: false,
      failure: {
        code: 'action_invalid_token',
        detail: `api.${method}: no ${tokenParameterName} parameter came back`,
      },
    };
  }
  const verified = verifyRedirectToken(token, secret, binding);
  if (!verified.ok) {
    return {
      ok: false,
      failure: { code: 'action_invalid_token', detail: `api.${method}: ${verified.reason}` },
    };
  }
  return { ok: true, value: verified.claims };
}
