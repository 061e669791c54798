import type { ActionFailure } from './action-error-codes.ts';
import { isJsonObject, type JsonObject, type JsonValue } from './json-value.ts';
import type { PostLoginFactorType } from './post-login-event.ts';
import { redirectTarget } from './redirect/redirect-target.ts';
import { isRegisteredClaim } from './registered-claims.ts';

/**
 * `api.multifactor.enable(provider)` values: `any` enrolled factor, or one kind — `guardian` is our
 * push, `google-authenticator` and `otp` are TOTP. `none` asks for no MFA from this Action; it never
 * lowers what the request itself asked for (ARCHITECTURE.md, invariant 3).
 */
export type MultifactorProvider =
  | 'any'
  | 'guardian'
  | 'google-authenticator'
  | 'otp'
  | 'webauthn-roaming'
  | 'webauthn-platform'
  | 'email'
  | 'recovery-code'
  | 'none';

/** Every `MultifactorProvider`. */
export const MULTIFACTOR_PROVIDERS: readonly MultifactorProvider[] = [
  'any',
  'guardian',
  'google-authenticator',
  'otp',
  'webauthn-roaming',
  'webauthn-platform',
  'email',
  'recovery-code',
  'none',
];

/** Every factor type an Action can name in `challengeWith*` / `enrollWith*`. */
export const POST_LOGIN_FACTOR_TYPES: readonly PostLoginFactorType[] = [
  'otp',
  'push-notification',
  'email',
  'webauthn-platform',
  'webauthn-roaming',
  'recovery-code',
];

/**
 * Provider names of `multifactor.enable` that a script may also use for a factor: `guardian` is our
 * push, `google-authenticator` TOTP. The other providers already share their factor's name.
 */
const FACTOR_ALIASES: Readonly<Record<string, PostLoginFactorType>> = {
  guardian: 'push-notification',
  'google-authenticator': 'otp',
};

/** The `api` methods an Action can call; each records its call and returns `api`. */
export const POST_LOGIN_API_METHODS = [
  'multifactor.enable',
  'authentication.challengeWith',
  'authentication.challengeWithAny',
  'authentication.enrollWith',
  'authentication.enrollWithAny',
  'access.deny',
  'idToken.setCustomClaim',
  'accessToken.setCustomClaim',
  'accessToken.addScope',
  'accessToken.removeScope',
  'user.setAppMetadata',
  'user.setUserMetadata',
  'redirect.sendUserTo',
  'redirect.encodeToken',
  'redirect.validateToken',
  'cache.get',
  'cache.set',
  'cache.delete',
] as const;

/**
 * The methods that answer the script with a value (a token, a token's claims, a cached value)
 * instead of returning `api`; the sandbox serves them itself (`sandbox/redirect-methods.ts`,
 * `sandbox/cache-methods.ts`).
 */
export const ANSWERING_API_METHODS = [
  'redirect.encodeToken',
  'redirect.validateToken',
  'cache.get',
  'cache.set',
  'cache.delete',
] as const;

/** A method of `api`, as `group.method`. */
export type PostLoginApiMethod = (typeof POST_LOGIN_API_METHODS)[number];

/**
 * Auth0 methods Stepup does not provide. They exist on `api` so that a pasted script fails with
 * `action_unsupported_api` naming the method, rather than with a bare "not a function".
 */
export const UNSUPPORTED_API_METHODS = [
  'authentication.recordMethod',
  'authentication.setPrimaryUser',
  'refreshToken.revoke',
  'session.revoke',
] as const;

/** One argument as it crossed the sandbox boundary: absent, plain JSON, or something JSON cannot hold. */
export type SandboxArgument =
  | { kind: 'undefined' }
  | { kind: 'json'; value: JsonValue }
  | { kind: 'other'; type: string };

/** A call an Action made, validated and normalised; the engine merges these into one outcome. */
export type RecordedApiCall =
  | { method: 'multifactor.enable'; provider: MultifactorProvider; allowRememberBrowser: boolean }
  | {
      method:
        | 'authentication.challengeWith'
        | 'authentication.challengeWithAny'
        | 'authentication.enrollWith'
        | 'authentication.enrollWithAny';
      /** The factors the user may choose from; the first is the one offered first. */
      factors: PostLoginFactorType[];
      enroll: boolean;
    }
  | { method: 'access.deny'; reason: string }
  | { method: 'idToken.setCustomClaim' | 'accessToken.setCustomClaim'; name: string; value: JsonValue }
  | { method: 'user.setAppMetadata' | 'user.setUserMetadata'; key: string; value: JsonValue | null }
  /** `url` is the target with the Action's query; the provider adds `state` when it redirects. */
  /** Checked against what the client may be granted by the engine, which knows the login. */
  | { method: 'accessToken.addScope' | 'accessToken.removeScope'; scope: string }
  | { method: 'redirect.sendUserTo'; url: string }
  /** Written to the Action's cache by the host once the execution succeeded; `expiresAt` in epoch ms. */
  | { method: 'cache.set'; key: string; value: string; expiresAt: number }
  | { method: 'cache.delete'; key: string };

/** The recorded call, or why the call fails the execution. */
export type ApiCallValidation = { ok: true; call: RecordedApiCall } | { ok: false; failure: ActionFailure };

const MAX_REASON_LENGTH = 500;
/** One scope token, RFC 6749 3.3. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]{1,128}$/;
const MAX_NAME_LENGTH = 256;
/** A claim or metadata value, serialised. Tokens travel in URLs and headers. */
export const MAX_VALUE_BYTES = 8 * 1024;

class InvalidCall extends Error {
  readonly code: 'action_invalid_call' | 'action_invalid_claim';

  constructor(code: 'action_invalid_call' | 'action_invalid_claim', message: string) {
    super(message);
    this.code = code;
  }
}

/**
 * Checks one call of `api.<method>(…)` and turns it into a `RecordedApiCall`. Anything unexpected —
 * an unknown provider, an extra option, a function where JSON was due, a registered claim — fails,
 * so a mistaken script denies the login instead of silently asking for less.
 */
export function validateApiCall(method: string, args: readonly SandboxArgument[]): ApiCallValidation {
  try {
    return { ok: true, call: readCall(method, args) };
  } catch (error) {
    if (!(error instanceof InvalidCall)) throw error;
    return { ok: false, failure: { code: error.code, detail: `api.${method}: ${error.message}` } };
  }
}

function readCall(method: string, args: readonly SandboxArgument[]): RecordedApiCall {
  switch (method) {
    case 'multifactor.enable': {
      const provider = readString(args[0], 'provider');
      if (!(MULTIFACTOR_PROVIDERS as readonly string[]).includes(provider)) {
        throw new InvalidCall(
          'action_invalid_call',
          `provider "${provider}" is not one of ${MULTIFACTOR_PROVIDERS.join(', ')}`,
        );
      }
      const options = readOptions(args[1], ['allowRememberBrowser', 'providerOptions']);
      const remember = options.allowRememberBrowser;
      if (remember !== undefined && typeof remember !== 'boolean') {
        throw new InvalidCall('action_invalid_call', 'allowRememberBrowser must be a boolean');
      }
      return {
        method,
        provider: provider as MultifactorProvider,
        allowRememberBrowser: remember === true,
      };
    }
    case 'authentication.challengeWith':
    case 'authentication.enrollWith': {
      const first = readFactor(args[0] === undefined ? undefined : toJson(args[0], 'factor'));
      const options = readOptions(args[1], ['additionalFactors']);
      const additional = options.additionalFactors ?? [];
      if (!Array.isArray(additional))
        throw new InvalidCall('action_invalid_call', 'additionalFactors must be a list');
      const factors = [first, ...additional.map(readFactor)];
      return { method, factors: [...new Set(factors)], enroll: method === 'authentication.enrollWith' };
    }
    case 'authentication.challengeWithAny':
    case 'authentication.enrollWithAny': {
      const list = args[0] === undefined ? undefined : toJson(args[0], 'factors');
      if (!Array.isArray(list) || list.length === 0) {
        throw new InvalidCall('action_invalid_call', 'expects a non-empty list of factors');
      }
      return {
        method,
        factors: [...new Set(list.map(readFactor))],
        enroll: method === 'authentication.enrollWithAny',
      };
    }
    case 'access.deny': {
      const reason = readString(args[0], 'reason').trim();
      if (reason === '') throw new InvalidCall('action_invalid_call', 'reason must not be empty');
      // The reason is shown to the user: one line of plain text.
      const printable = reason.replace(/\p{Cc}+/gu, ' ');
      return { method, reason: printable.slice(0, MAX_REASON_LENGTH) };
    }
    case 'idToken.setCustomClaim':
    case 'accessToken.setCustomClaim': {
      const name = readString(args[0], 'claim name');
      if (name === '' || name.length > MAX_NAME_LENGTH) {
        throw new InvalidCall(
          'action_invalid_claim',
          `claim name must have 1 to ${MAX_NAME_LENGTH} characters`,
        );
      }
      if (isRegisteredClaim(name)) {
        throw new InvalidCall('action_invalid_claim', `"${name}" is a registered claim and can not be set`);
      }
      if (args[1] === undefined || args[1].kind === 'undefined') {
        throw new InvalidCall('action_invalid_call', `value of claim "${name}" is missing`);
      }
      return { method, name, value: readValue(args[1], `claim "${name}"`) };
    }
    case 'user.setAppMetadata':
    case 'user.setUserMetadata': {
      const key = readString(args[0], 'metadata key');
      if (key === '' || key.length > MAX_NAME_LENGTH || key === '__proto__') {
        throw new InvalidCall(
          'action_invalid_call',
          `metadata key must have 1 to ${MAX_NAME_LENGTH} characters`,
        );
      }
      // Auth0: setting a key to undefined or null removes it.
      const value = args[1] === undefined || args[1].kind === 'undefined' ? null : readValue(args[1], key);
      return { method, key, value };
    }
    case 'accessToken.addScope':
    case 'accessToken.removeScope': {
      const scope = readString(args[0], 'scope');
      if (!SCOPE_TOKEN.test(scope)) {
        throw new InvalidCall(
          'action_invalid_call',
          `"${scope.slice(0, 64)}" is not one scope (RFC 6749 3.3)`,
        );
      }
      return { method, scope };
    }
    case 'redirect.sendUserTo': {
      const url = readString(args[0], 'url');
      const options = readOptions(args[1], ['query']);
      const query = options.query ?? {};
      if (!isJsonObject(query) || Object.values(query).some((value) => typeof value !== 'string')) {
        throw new InvalidCall('action_invalid_call', 'query must be an object of strings');
      }
      const target = redirectTarget(url, query as Record<string, string>);
      if (!target.ok) throw new InvalidCall('action_invalid_call', target.reason);
      return { method, url: target.url };
    }
    default:
      throw new TypeError(`validateApiCall: unknown method ${method}`);
  }
}

function describe(arg: SandboxArgument | undefined): string {
  if (arg === undefined || arg.kind === 'undefined') return 'undefined';
  if (arg.kind === 'other') return `a ${arg.type}`;
  return arg.value === null ? 'null' : Array.isArray(arg.value) ? 'a list' : `a ${typeof arg.value}`;
}

function readString(arg: SandboxArgument | undefined, what: string): string {
  if (arg?.kind === 'json' && typeof arg.value === 'string') return arg.value;
  throw new InvalidCall('action_invalid_call', `${what} must be a string, got ${describe(arg)}`);
}

function toJson(arg: SandboxArgument, what: string): JsonValue {
  if (arg.kind === 'json') return arg.value;
  throw new InvalidCall('action_invalid_call', `${what} must be plain JSON data, got ${describe(arg)}`);
}

function readOptions(arg: SandboxArgument | undefined, allowed: readonly string[]): JsonObject {
  if (arg === undefined || arg.kind === 'undefined') return {};
  const value = toJson(arg, 'options');
  if (!isJsonObject(value))
    throw new InvalidCall('action_invalid_call', `options must be an object, got ${describe(arg)}`);
  const unknown = Object.keys(value).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) {
    throw new InvalidCall(
      'action_invalid_call',
      `unknown option(s) ${unknown.join(', ')} (allowed: ${allowed.join(', ')})`,
    );
  }
  return value;
}

/**
 * A factor as a name (`'otp'`) or as Auth0 writes it (`{ type: 'otp' }`); the provider names
 * `guardian` and `google-authenticator` stand for push and TOTP, as in `multifactor.enable`.
 */
function readFactor(value: JsonValue | undefined): PostLoginFactorType {
  let type: JsonValue | undefined = value;
  if (isJsonObject(value)) {
    const unknown = Object.keys(value).filter((key) => key !== 'type' && key !== 'options');
    if (unknown.length > 0)
      throw new InvalidCall('action_invalid_call', `unknown factor field(s) ${unknown.join(', ')}`);
    type = value.type;
  }
  if (type === 'phone') {
    throw new InvalidCall('action_invalid_call', 'phone factors (SMS, voice) are not available');
  }
  if (typeof type === 'string' && Object.hasOwn(FACTOR_ALIASES, type)) type = FACTOR_ALIASES[type];
  if (typeof type !== 'string' || !(POST_LOGIN_FACTOR_TYPES as readonly string[]).includes(type)) {
    throw new InvalidCall(
      'action_invalid_call',
      `factor ${JSON.stringify(type ?? null)} is not one of ${POST_LOGIN_FACTOR_TYPES.join(', ')}`,
    );
  }
  return type as PostLoginFactorType;
}

function readValue(arg: SandboxArgument, what: string): JsonValue {
  const value = toJson(arg, what);
  if (Buffer.byteLength(JSON.stringify(value)) > MAX_VALUE_BYTES) {
    throw new InvalidCall('action_invalid_call', `${what} is larger than ${MAX_VALUE_BYTES} bytes as JSON`);
  }
  return value;
}
