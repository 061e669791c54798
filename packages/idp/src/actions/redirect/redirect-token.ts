import { createHmac, timingSafeEqual } from 'node:crypto';
import { base64url } from 'jose';
import { isJsonObject, type JsonObject, type JsonValue } from '../json-value.ts';

/**
 * What a redirect token is bound to: the provider (`iss`), the person signing in (`sub`) and this
 * login's `state`, the one the external site sends back to `/continue`. `now` is epoch seconds.
 */
export interface RedirectTokenBinding {
  issuer: string;
  subject: string;
  state: string;
  ip: string;
  now: number;
}

/** RFC 7518 3.2: an HS256 key must be at least as long as the hash output, 256 bits. */
export const MIN_REDIRECT_SECRET_BYTES = 32;
const HEADER = base64url.encode(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

function hmac(secret: string, input: string): Buffer {
  return createHmac('sha256', secret).update(input).digest();
}

/**
 * `api.redirect.encodeToken`: a compact JWS (HS256 with the Action's secret) whose claims say who
 * issued it, for whom, until when and for which login — the Action's own data under `other`, as
 * Auth0 shapes it. Synchronous, as Auth0 scripts call it; jose signs only asynchronously (WebCrypto),
 * so the HMAC is node:crypto's and jose provides the encoding.
 */
export function encodeRedirectToken(
  options: { secret: string; expiresInSeconds: number; payload: JsonObject },
  binding: RedirectTokenBinding,
): string {
  if (Buffer.byteLength(options.secret) < MIN_REDIRECT_SECRET_BYTES) {
    throw new TypeError(`the secret must have at least ${MIN_REDIRECT_SECRET_BYTES} bytes`);
  }
  const claims = {
    iss: binding.issuer,
    sub: binding.subject,
    iat: binding.now,
    exp: binding.now + options.expiresInSeconds,
    ip: binding.ip,
    state: binding.state,
    other: options.payload,
  };
  const input = `${HEADER}.${base64url.encode(JSON.stringify(claims))}`;
  return `${input}.${base64url.encode(hmac(options.secret, input))}`;
}

/** The verified claims, or why the token is refused (for the execution log, never shown to the user). */
export type RedirectTokenVerification = { ok: true; claims: JsonObject } | { ok: false; reason: string };

/**
 * `api.redirect.validateToken`: accepts only a compact JWS with header `alg` exactly `HS256` (no
 * `none`, no other algorithm, no `crit`), a valid HMAC under `secret`, an `exp` still in the future,
 * and `iss`, `sub` and `state` equal to this login's (RFC 7519 7.2; RFC 8725 3.1 for the pinned
 * algorithm). A token from another login, another user or another provider is refused.
 */
export function verifyRedirectToken(
  token: string,
  secret: string,
  binding: RedirectTokenBinding,
): RedirectTokenVerification {
  const parts = token.split('.');
  const [header = '', payload = '', signature = ''] = parts;
  if (parts.length !== 3 || header === '' || payload === '') {
    return { ok: false, reason: 'the token is not a compact JWS' };
  }
  const headerValue = decodeJson(header);
  if (!isJsonObject(headerValue)) return { ok: false, reason: 'the token header is not a JSON object' };
  if (headerValue.alg !== 'HS256') return { ok: false, reason: 'the token alg is not HS256' };
  if (headerValue.crit !== undefined) return { ok: false, reason: 'the token has crit header parameters' };
  const expected = hmac(secret, `${header}.${payload}`);
  let actual: Uint8Array;
  try {
    actual = base64url.decode(signature);
  } catch {
    return { ok: false, reason: 'the token signature is not base64url' };
  }
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    return { ok: false, reason: 'the token signature does not verify with the secret' };
  }
  const claims = decodeJson(payload);
  if (!isJsonObject(claims)) return { ok: false, reason: 'the token claims are not a JSON object' };
  if (typeof claims.exp !== 'number') return { ok: false, reason: 'the token has no numeric exp' };
  if (claims.exp <= binding.now) return { ok: false, reason: 'the token expired' };
  if (claims.iss !== binding.issuer) return { ok: false, reason: 'the token iss is not this provider' };
  if (claims.sub !== binding.subject)
    return { ok: false, reason: 'the token sub is not the user signing in' };
  if (claims.state !== binding.state) return { ok: false, reason: 'the token state is not this login' };
  return { ok: true, claims };
}

function decodeJson(part: string): JsonValue | undefined {
  try {
    return JSON.parse(Buffer.from(base64url.decode(part)).toString('utf8'));
  } catch {
    return undefined;
  }
}
