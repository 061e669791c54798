import { type AcrLadder, DEFAULT_ACR_LADDER } from '@stepup/core';
import { StepupRpError } from '../errors.ts';
import { checkRegisteredClaims } from '../jwt/check-jwt-claims.ts';
import { type AsymmetricJwsAlgorithm, checkAsymmetricAlgorithms } from '../jwt/jws-algorithms.ts';
import { RemoteKeySet } from '../jwt/remote-key-set.ts';
import { findVerificationKey } from '../jwt/verification-key.ts';
import { type VerifiedJwt, verifyJwtWithJose } from '../jwt/verify-jwt-with-jose.ts';
import { NodeCryptoJwtVerifier } from '../jwt/verify-jwt-with-node-crypto.ts';
import { evaluatePolicy } from '../policy/evaluate-policy.ts';
import {
  type ResolvedPolicy,
  resolveNamedPolicies,
  type StepUpPolicy,
  selectPolicy,
} from '../policy/step-up-policy.ts';
import { type AccessTokenClaims, readAccessTokenClaims } from './access-token-claims.ts';
import { createBearerErrorResponse } from './bearer-error-response.ts';
import { discoverJwksUri } from './discover-jwks-uri.ts';
import type { DpopNonceSource } from './dpop-nonce.ts';
import { createMemoryDpopReplayStore, type DpopReplayStore } from './dpop-replay-store.ts';
import { VerifiedTokenCache } from './verified-token-cache.ts';
import { verifyDpopProof } from './verify-dpop-proof.ts';

/**
 * Settings of {@link createBearerGuard}; checked once, a `TypeError` names the bad setting.
 *
 * @example
 * ```ts
 * const options: BearerGuardOptions = {
 *   issuer: 'https://idp.example.com',
 *   audience: 'https://payroll.example.com/api',
 *   algorithms: ['RS256'],
 *   policies: { salary: { acr: [ACR_MULTI_FACTOR], maxAge: 600 } },
 * };
 * ```
 */
export interface BearerGuardOptions {
  /** The provider's issuer identifier, compared exactly with `iss`. */
  issuer: string;
  /** This API's resource indicator (RFC 8707): `aud` must contain it. */
  audience: string;
  /** The accepted asymmetric algorithms, pinned. Default `['RS256']` (RFC 9068 4). */
  algorithms?: AsymmetricJwsAlgorithm[];
  /** The provider's JWKS; discovered from the issuer when absent. */
  jwksUri?: string | URL;
  /** Named policies for {@link BearerRequirement.policy}. */
  policies?: Record<string, StepUpPolicy>;
  ladder?: AcrLadder;
  /** Seconds of clock difference tolerated on `exp`, `nbf`, `iat` and `max_age`. Default 30, at most 300. */
  clockSkew?: number;
  /** Seconds since the epoch. */
  clock?: () => number;
  /** Longer tokens are refused before any parsing. Default 8192 characters. */
  maxTokenLength?: number;
  /**
   * `node-crypto` (default) verifies with pre-imported `node:crypto` keys; `jose` with `jose.jwtVerify`.
   * Both accept and refuse exactly the same tokens.
   */
  verifier?: 'node-crypto' | 'jose';
  /** Verified-token cache for repeated tokens; off unless set. */
  cache?: { maxEntries?: number };
  /** The `realm` of the `WWW-Authenticate` challenges. */
  realm?: string;
  fetch?: typeof fetch;
  /** Allows plain-http issuer metadata and JWKS: development only. */
  allowInsecureRequests?: boolean;
  /** A key set to share (with another guard, or a test); built from the JWKS URI otherwise. */
  keySet?: RemoteKeySet;
  /**
   * DPoP (RFC 9449): accept `Authorization: DPoP` with a proof, and offer the scheme in challenges.
   * A DPoP-bound token (`cnf.jkt`) presented as `Bearer` is refused whether this is set or not.
   */
  dpop?: BearerDpopOptions;
}

/**
 * How the bearer guard checks DPoP proofs (RFC 9449 4.3, 7.1).
 *
 * @example
 * ```ts
 * const dpop: BearerDpopOptions = {
 *   required: true,
 *   replayStore: createRedisDpopReplayStore(redis), // shared by every API node
 *   nonce: createDpopNonceSource({ secret: process.env.DPOP_NONCE_SECRET ?? '' }),
 * };
 * ```
 */
export interface BearerDpopOptions {
  /** Refuse tokens that are not DPoP-bound. Default false: plain bearer tokens pass as before. */
  required?: boolean;
  /** Proof algorithms accepted, and sent as `algs`. Default `['ES256', 'EdDSA', 'PS256', 'RS256']`. */
  algorithms?: AsymmetricJwsAlgorithm[];
  /** How old (by `iat`) a proof may be, in seconds, besides `clockSkew`. Default 60, at most 600. */
  proofMaxAge?: number;
  /** Where accepted proofs are recorded against replay; share one between API nodes. Default in memory. */
  replayStore?: DpopReplayStore;
  /** Server nonces (RFC 9449 9): proofs must carry a current one. Off unless set. */
  nonce?: DpopNonceSource;
}

/**
 * The DPoP proof that came with a token (RFC 9449 7.1): the `DPoP` header, and the request's method
 * and URL as the client addressed it (behind a proxy, the public URL).
 *
 * @example
 * ```ts
 * const presentation: DpopPresentation = { proof: request.headers.get('dpop') ?? '', method: 'GET', url: request.url };
 * ```
 */
export interface DpopPresentation {
  proof: string;
  method: string;
  url: string;
}

/**
 * What one route needs of an access token: scopes (all of them) and a step-up policy.
 *
 * @example
 * ```ts
 * const requirement: BearerRequirement = { scopes: ['payroll:read'], policy: 'salary' };
 * ```
 */
export interface BearerRequirement {
  scopes?: readonly string[];
  policy?: string | StepUpPolicy;
}

/**
 * The outcome of {@link BearerGuard.check}: the verified token, or the error and the response to send.
 *
 * @example
 * ```ts
 * const result: BearerCheckResult = await guard.check(request);
 * if (!result.ok) return result.response;
 * ```
 */
export type BearerCheckResult =
  | { ok: true; token: AccessTokenClaims }
  | { ok: false; error: StepupRpError; response: Response };

/**
 * A guard for an API that accepts JWT access tokens (RFC 9068) and demands step-up (RFC 9470).
 *
 * @example
 * ```ts
 * const result = await guard.check(request, { scopes: ['payroll:read'], policy: 'salary' });
 * if (!result.ok) return result.response; // 401/403 with WWW-Authenticate
 * console.log(result.token.sub, result.token.acr);
 * ```
 */
export interface BearerGuard {
  /**
   * Verifies a token for a requirement, and its DPoP proof when it is DPoP-bound (`dpop`, needs the
   * `dpop` option); throws a `StepupRpError` with a stable code.
   */
  verify(token: string, requirement?: BearerRequirement, dpop?: DpopPresentation): Promise<AccessTokenClaims>;
  /**
   * Reads the `Authorization: Bearer` (or, with the `dpop` option, `DPoP` and the `DPoP` proof header)
   * of a request and verifies it; never throws for protocol errors.
   */
  check(request: Request, requirement?: BearerRequirement): Promise<BearerCheckResult>;
  readonly keySet: RemoteKeySet;
}

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
const DPOP = /^DPoP +([A-Za-z0-9\-._~+/]+=*) *$/i;
const DEFAULT_DPOP_ALGORITHMS: AsymmetricJwsAlgorithm[] = ['ES256', 'EdDSA', 'PS256', 'RS256'];
const seconds = () => Math.floor(Date.now() / 1000);

function checkSkew(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > 300) {
    throw new TypeError('clockSkew must be an integer number of seconds from 0 to 300');
  }
  return value;
}

/**
 * Builds a bearer guard: discovers the JWKS when needed and loads the keys once, so the first
 * request does not wait. Throws a `TypeError` for a bad setting and a `StepupRpError`
 * (`discovery_failed`, `jwks_unavailable`) when the provider cannot be reached.
 *
 * @example
 * ```ts
 * const guard = await createBearerGuard({ issuer: 'https://idp.example.com', audience: 'https://api.example.com' });
 * export async function GET(request: Request) {
 *   const result = await guard.check(request, { scopes: ['payroll:read'] });
 *   if (!result.ok) return result.response;
 *   return Response.json({ hello: result.token.sub });
 * }
 * ```
 */
export async function createBearerGuard(options: BearerGuardOptions): Promise<BearerGuard> {
  if (typeof options !== 'object' || options === null) throw new TypeError('createBearerGuard needs options');
  const { issuer, audience } = options;
  if (typeof issuer !== 'string' || URL.parse(issuer) === null)
    throw new TypeError('issuer must be an absolute URL');
  if (typeof audience !== 'string' || audience === '')
    throw new TypeError('audience must be a non-empty string');
  const algorithms = checkAsymmetricAlgorithms('algorithms', options.algorithms ?? ['RS256']);
  const ladder = options.ladder ?? DEFAULT_ACR_LADDER;
  const skew = checkSkew(options.clockSkew ?? 30);
  const clock = options.clock ?? seconds;
  const maxTokenLength = options.maxTokenLength ?? 8192;
  if (!Number.isSafeInteger(maxTokenLength) || maxTokenLength < 256) {
    throw new TypeError('maxTokenLength must be an integer of at least 256');
  }
  const verifierName = options.verifier ?? 'node-crypto';
  if (verifierName !== 'node-crypto' && verifierName !== 'jose')
    throw new TypeError('verifier must be node-crypto or jose');
  const named = resolveNamedPolicies(options.policies, ladder);
  const fetchImpl = options.fetch ?? fetch;
  const allowInsecureRequests = options.allowInsecureRequests === true;
  const dpop = options.dpop === undefined ? undefined : checkDpopOptions(options.dpop, clock);
  const cache =
    options.cache === undefined ? undefined : new VerifiedTokenCache(options.cache.maxEntries ?? 10_000);

  let keySet = options.keySet;
  if (keySet === undefined) {
    const jwksUri =
      options.jwksUri === undefined
        ? await discoverJwksUri(issuer, { fetch: fetchImpl, allowInsecureRequests, timeout: 5000 })
        : new URL(options.jwksUri);
    if (jwksUri.protocol !== 'https:' && !(jwksUri.protocol === 'http:' && allowInsecureRequests)) {
      throw new TypeError('jwksUri must be https (allowInsecureRequests permits http, for development only)');
    }
    keySet = new RemoteKeySet(jwksUri, { fetch: fetchImpl, clock });
    await keySet.load();
  }
  const keys = keySet;
  const nodeCrypto = new NodeCryptoJwtVerifier(keys, { algorithms, skew, typ: 'at+jwt' });
  const policyCache = new WeakMap<object, ResolvedPolicy>();

  function policyOf(policy: string | StepUpPolicy | undefined): ResolvedPolicy | undefined {
    if (policy === undefined) return undefined;
    if (typeof policy === 'string') return selectPolicy(policy, named, ladder);
    let resolved = policyCache.get(policy);
    if (!resolved) {
      resolved = selectPolicy(policy, named, ladder);
      policyCache.set(policy, resolved);
    }
    return resolved;
  }

  function verifySignature(token: string, now: number): VerifiedJwt | Promise<VerifiedJwt> {
    if (verifierName === 'node-crypto') return nodeCrypto.verify(token, now);
    return verifyJwtWithJose(token, (jwtHeader) => findVerificationKey(keys, jwtHeader), {
      algorithms,
      now,
      skew,
      typ: 'at+jwt',
    });
  }

  function readClaims({ header, payload }: VerifiedJwt, now: number): AccessTokenClaims {
    checkRegisteredClaims(header, payload, { issuer, audience, now, skew, typ: 'at+jwt' });
    return readAccessTokenClaims(payload);
  }

  function checkRequirement(
    token: AccessTokenClaims,
    scopes: readonly string[],
    policy: ResolvedPolicy | undefined,
    now: number,
  ) {
    const missing = scopes.length === 0 ? scopes : scopes.filter((scope) => !token.scopes.includes(scope));
    if (missing.length > 0) {
      throw new StepupRpError('insufficient_scope', 'The access token does not grant the required scope.', {
        detail: `missing scopes ${missing.join(' ')}`,
      });
    }
    if (policy === undefined) return;
    const context = {
      ...(token.acr === undefined ? {} : { acr: token.acr }),
      ...(token.amr === undefined ? {} : { amr: [...token.amr] }),
      ...(token.auth_time === undefined ? {} : { auth_time: token.auth_time }),
    };
    const verdict = evaluatePolicy(context, policy, { ladder, now, skew });
    if (!verdict.satisfied) {
      const fresher = verdict.unmet.length === 1 && verdict.unmet[0] === 'max_age';
      throw new StepupRpError(
        'insufficient_user_authentication',
        fresher ? 'More recent authentication is required.' : 'A different authentication level is required.',
        {
          detail: `unmet ${verdict.unmet.join(', ')}; token acr ${token.acr} amr ${token.amr} auth_time ${token.auth_time}`,
        },
      );
    }
  }

  /** RFC 9449 7.1, 7.2: a bound token only with a proof from its key; an unbound one never as DPoP. */
  async function checkBinding(
    token: string,
    claims: AccessTokenClaims,
    presentation: DpopPresentation | undefined,
    now: number,
  ): Promise<void> {
    if (claims.jkt === undefined) {
      if (presentation !== undefined) {
        throw new StepupRpError('dpop_token_unbound', 'The access token is not DPoP-bound.');
      }
      if (dpop?.required) {
        throw new StepupRpError('dpop_binding_required', 'The access token must be DPoP-bound.');
      }
      return;
    }
    if (presentation === undefined || dpop === undefined) {
      throw new StepupRpError(
        'dpop_binding_required',
        'The access token is DPoP-bound: present it with a DPoP proof.',
      );
    }
    await verifyDpopProof(presentation.proof, {
      method: presentation.method,
      url: presentation.url,
      accessToken: token,
      jkt: claims.jkt,
      algorithms: dpop.algorithms,
      now,
      maxAge: dpop.proofMaxAge,
      skew,
      nonce: dpop.nonce,
      replayStore: dpop.replayStore,
    });
  }

  async function verify(
    token: string,
    requirement: BearerRequirement = {},
    presentation?: DpopPresentation,
  ): Promise<AccessTokenClaims> {
    if (typeof token !== 'string') throw new TypeError('verify: token must be a string');
    if (presentation !== undefined && dpop === undefined) {
      throw new TypeError("verify: a DPoP presentation needs the guard's dpop option");
    }
    const scopes = requirement.scopes ?? [];
    const policy = policyOf(requirement.policy);
    if (token.length > maxTokenLength) {
      throw new StepupRpError('token_too_large', 'The access token is too large.', {
        detail: `${token.length} characters, at most ${maxTokenLength}`,
      });
    }
    const now = clock();
    let claims: AccessTokenClaims | undefined;
    let cacheKey: string | undefined;
    if (cache) {
      cacheKey = VerifiedTokenCache.keyOf(token);
      claims = cache.get(cacheKey, now, skew);
    }
    if (claims === undefined) {
      // One await at most, and none on the hot path (the node:crypto verifier answers synchronously).
      const verified = verifySignature(token, now);
      claims = readClaims(verified instanceof Promise ? await verified : verified, now);
      if (cache && cacheKey !== undefined) cache.set(cacheKey, claims);
    }
    if (claims.jkt !== undefined || presentation !== undefined || dpop?.required) {
      await checkBinding(token, claims, presentation, now);
    }
    checkRequirement(claims, scopes, policy, now);
    return claims;
  }

  async function check(request: Request, requirement: BearerRequirement = {}): Promise<BearerCheckResult> {
    const scopes = requirement.scopes ?? [];
    const policy = policyOf(requirement.policy);
    const authorization = request.headers.get('authorization');
    const scheme =
      dpop !== undefined && authorization !== null && /^dpop(\s|$)/i.test(authorization) ? 'DPoP' : 'Bearer';
    const context = {
      ...(options.realm === undefined ? {} : { realm: options.realm }),
      scopes,
      ...(policy ? { policy } : {}),
      ...(dpop === undefined
        ? {}
        : {
            dpop: {
              scheme,
              algorithms: dpop.algorithms,
              required: dpop.required,
            } as const,
          }),
    };
    try {
      if (scheme === 'DPoP')
        return { ok: true, token: await checkDpopRequest(request, authorization ?? '', requirement) };
      if (authorization === null || !/^bearer(\s|$)/i.test(authorization)) {
        throw new StepupRpError('token_missing', 'An access token is required.');
      }
      // Refused before the header is parsed any further.
      if (authorization.length > maxTokenLength + 16) {
        throw new StepupRpError('token_too_large', 'The access token is too large.', {
          detail: `Authorization header of ${authorization.length} characters`,
        });
      }
      const match = BEARER.exec(authorization);
      if (!match?.[1]) throw new StepupRpError('token_malformed', 'The access token is malformed.');
      return { ok: true, token: await verify(match[1], requirement) };
    } catch (error) {
      if (!(error instanceof StepupRpError)) throw error;
      // The current nonce goes with every DPoP challenge (RFC 9449 9); computed only for refusals.
      const nonce = dpop?.nonce?.current();
      const withNonce =
        nonce === undefined || context.dpop === undefined
          ? context
          : { ...context, dpop: { ...context.dpop, nonce } };
      return { ok: false, error, response: createBearerErrorResponse(error, withNonce) };
    }
  }

  async function checkDpopRequest(
    request: Request,
    authorization: string,
    requirement: BearerRequirement,
  ): Promise<AccessTokenClaims> {
    if (authorization.length > maxTokenLength + 16) {
      throw new StepupRpError('token_too_large', 'The access token is too large.', {
        detail: `Authorization header of ${authorization.length} characters`,
      });
    }
    const match = DPOP.exec(authorization);
    if (!match?.[1]) throw new StepupRpError('token_malformed', 'The access token is malformed.');
    const proof = request.headers.get('dpop');
    // RFC 9449 4.3 point 1: exactly one proof (several DPoP headers are joined with commas).
    if (proof === null || proof === '')
      throw new StepupRpError('dpop_proof_missing', 'A DPoP proof is required.');
    if (proof.includes(',')) {
      throw new StepupRpError('dpop_proof_invalid', 'The DPoP proof is not valid.', {
        detail: 'several DPoP headers',
      });
    }
    return verify(match[1], requirement, { proof, method: request.method, url: request.url });
  }

  return { verify, check, keySet: keys };
}

function checkDpopOptions(dpop: BearerDpopOptions, clock: () => number) {
  if (typeof dpop !== 'object' || dpop === null) throw new TypeError('dpop must be an object');
  const algorithms = checkAsymmetricAlgorithms('dpop.algorithms', dpop.algorithms ?? DEFAULT_DPOP_ALGORITHMS);
  const proofMaxAge = dpop.proofMaxAge ?? 60;
  if (!Number.isSafeInteger(proofMaxAge) || proofMaxAge < 1 || proofMaxAge > 600) {
    throw new TypeError('dpop.proofMaxAge must be an integer number of seconds from 1 to 600');
  }
  const replayStore = dpop.replayStore ?? createMemoryDpopReplayStore({ clock });
  if (typeof replayStore?.consume !== 'function') {
    throw new TypeError('dpop.replayStore must have a consume(key, expiresAt) method');
  }
  const nonce = dpop.nonce;
  if (nonce !== undefined && (typeof nonce.current !== 'function' || typeof nonce.accepts !== 'function')) {
    throw new TypeError('dpop.nonce must have current() and accepts(nonce) methods');
  }
  return { required: dpop.required === true, algorithms, proofMaxAge, replayStore, nonce };
}
