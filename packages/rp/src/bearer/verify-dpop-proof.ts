import { createPublicKey, hash, type KeyObject, verify } from 'node:crypto';
import { StepupRpError } from '../errors.ts';
import {
  ASYMMETRIC_ALGORITHMS,
  type AsymmetricJwsAlgorithm,
  jwkFitsAlgorithm,
  verifyKeyInput,
} from '../jwt/jws-algorithms.ts';
import type { DpopNonceSource } from './dpop-nonce.ts';
import type { DpopReplayStore } from './dpop-replay-store.ts';
import { sha256Thumbprint, thumbprintInput } from './jwk-thumbprint.ts';

/** What a DPoP proof must match: the request it comes with and the access token's binding. */
export interface DpopProofExpectations {
  /** The HTTP method of the request. */
  method: string;
  /** The request URL as the client addressed it; query and fragment are ignored (RFC 9449 4.3). */
  url: string;
  /** The access token presented with the proof (for `ath`). */
  accessToken: string;
  /** The access token's `cnf.jkt`. */
  jkt: string;
  algorithms: readonly AsymmetricJwsAlgorithm[];
  /** Seconds since the epoch. */
  now: number;
  /** How old (by `iat`) a proof may be, in seconds. */
  maxAge: number;
  /** Seconds of clock difference tolerated on `iat`, in both directions. */
  skew: number;
  nonce: DpopNonceSource | undefined;
  replayStore: DpopReplayStore;
}

const MAX_PROOF_LENGTH = 8192;
const MAX_JTI_LENGTH = 256;
/** Public keys of proofs seen recently, by thumbprint input: a client signs many proofs with one key. */
const MAX_CACHED_KEYS = 1000;
const importedKeys = new Map<string, { key: KeyObject; thumbprint: string }>();

function invalid(detail: string): never {
  throw new StepupRpError('dpop_proof_invalid', 'The DPoP proof is not valid.', { detail });
}

function decodeObject(segment: string | undefined, what: string): Record<string, unknown> {
  if (segment === undefined || !/^[A-Za-z0-9_-]+$/.test(segment)) invalid(`${what} is not base64url`);
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    invalid(`${what} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    invalid(`${what} is not an object`);
  return value as Record<string, unknown>;
}

/** The public key of a proof's `jwk`, and its thumbprint, by the thumbprint input. */
function importKey(input: string, jwk: Record<string, unknown>): { key: KeyObject; thumbprint: string } {
  let key = importedKeys.get(input);
  if (key === undefined) {
    try {
      key = {
        key: createPublicKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' }),
        thumbprint: sha256Thumbprint(input),
      };
    } catch {
      invalid('the jwk header is not a usable public key');
    }
    if (importedKeys.size >= MAX_CACHED_KEYS) {
      const oldest = importedKeys.keys().next();
      if (!oldest.done) importedKeys.delete(oldest.value);
    }
    importedKeys.set(input, key);
  }
  return key;
}

/** RFC 9449 4.3 point 9: the URI without query and fragment, normalised (RFC 3986 6.2.2, 6.2.3). */
function targetUri(value: string): string | undefined {
  const url = URL.parse(value);
  if (url === null) return undefined;
  return `${url.origin}${url.pathname}`;
}

/**
 * Checks a DPoP proof (RFC 9449 4.3) for a request carrying a DPoP-bound access token (7.1), in
 * the order of the RFC's list, and records its `jti` last: shape, `typ`, `alg`, a public `jwk` whose
 * signature verifies, the claims, `htm`, `htu`, the server nonce when one is configured, `iat`, `ath`,
 * the key against `cnf.jkt`, and then single use. Each failure has its own code.
 */
export async function verifyDpopProof(proof: string, expected: DpopProofExpectations): Promise<void> {
  if (proof.length > MAX_PROOF_LENGTH) invalid(`the proof has ${proof.length} characters`);
  const parts = proof.split('.');
  if (parts.length !== 3) invalid('the proof is not a compact JWS');
  const [encodedHeader, encodedPayload, encodedSignature] = parts as [string, string, string];
  const header = decodeObject(encodedHeader, 'the header');
  // 4.3 points 4 and 5.
  if (header.typ !== 'dpop+jwt') invalid(`typ ${JSON.stringify(header.typ)} is not dpop+jwt`);
  const alg = header.alg;
  if (typeof alg !== 'string' || !Object.hasOwn(ASYMMETRIC_ALGORITHMS, alg)) {
    invalid(`alg ${JSON.stringify(alg)} is not an asymmetric algorithm`);
  }
  if (!expected.algorithms.includes(alg as AsymmetricJwsAlgorithm)) {
    invalid(`alg ${alg} is not one of ${expected.algorithms.join(', ')}`);
  }
  if ('crit' in header) invalid('a crit header is not understood');
  // 4.3 point 7: a public key, never a private one.
  const jwk = header.jwk;
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) invalid('the jwk header is missing');
  const publicJwk = jwk as Record<string, unknown>;
  if ('d' in publicJwk || 'p' in publicJwk || 'k' in publicJwk) invalid('the jwk header holds a private key');
  if (!jwkFitsAlgorithm(publicJwk, alg as AsymmetricJwsAlgorithm)) invalid(`the jwk does not fit ${alg}`);
  const input = thumbprintInput(publicJwk);
  if (input === undefined) invalid('the jwk header lacks its required members');
  // 4.3 point 6.
  if (!/^[A-Za-z0-9_-]+$/.test(encodedSignature)) invalid('the signature is not base64url');
  const { key, thumbprint } = importKey(input, publicJwk);
  let valid = false;
  try {
    valid = verify(
      ASYMMETRIC_ALGORITHMS[alg as AsymmetricJwsAlgorithm].hash,
      Buffer.from(`${encodedHeader}.${encodedPayload}`, 'latin1'),
      verifyKeyInput(alg as AsymmetricJwsAlgorithm, key),
      Buffer.from(encodedSignature, 'base64url'),
    );
  } catch {
    valid = false;
  }
  if (!valid) throw new StepupRpError('dpop_signature_invalid', 'The DPoP proof signature is not valid.');

  // 4.3 point 3 (and 4.2: ath with an access token).
  const claims = decodeObject(encodedPayload, 'the claims set');
  const { jti, htm, htu, iat, ath } = claims;
  if (typeof jti !== 'string' || jti === '' || jti.length > MAX_JTI_LENGTH)
    invalid('jti is missing or too long');
  if (typeof htm !== 'string') invalid('htm is missing');
  if (typeof htu !== 'string') invalid('htu is missing');
  if (typeof iat !== 'number' || !Number.isFinite(iat)) invalid('iat is missing');
  if (typeof ath !== 'string') invalid('ath is missing');

  // 4.3 points 8 and 9.
  if (htm !== expected.method) {
    throw new StepupRpError('dpop_method_mismatch', 'The DPoP proof is for another method.', {
      detail: `htm ${htm}, request ${expected.method}`,
    });
  }
  const proofTarget = targetUri(htu);
  if (proofTarget === undefined || proofTarget !== targetUri(expected.url)) {
    throw new StepupRpError('dpop_url_mismatch', 'The DPoP proof is for another URL.', {
      detail: `htu ${htu}, request ${expected.url}`,
    });
  }
  // 4.3 point 10, 9 and 8.2.
  if (expected.nonce !== undefined) {
    const nonce = claims.nonce;
    if (typeof nonce !== 'string' || !expected.nonce.accepts(nonce)) {
      throw new StepupRpError('dpop_nonce_required', 'The DPoP proof must carry the current server nonce.', {
        detail: nonce === undefined ? 'no nonce' : 'a nonce that is not current',
      });
    }
  }
  // 4.3 point 11.
  const { now, maxAge, skew } = expected;
  if (iat > now + skew || iat < now - maxAge - skew) {
    throw new StepupRpError('dpop_proof_stale', 'The DPoP proof is too old or from the future.', {
      detail: `iat ${iat}, now ${now}, max age ${maxAge}, skew ${skew}`,
    });
  }
  // 4.3 point 12: ath, then the key against the token's binding.
  if (ath !== hash('sha256', expected.accessToken, 'base64url')) {
    throw new StepupRpError('dpop_ath_mismatch', 'The DPoP proof is for another access token.');
  }
  if (thumbprint !== expected.jkt) {
    throw new StepupRpError(
      'dpop_key_mismatch',
      'The DPoP proof is signed with a key the token is not bound to.',
      {
        detail: `proof key ${thumbprint}, cnf.jkt ${expected.jkt}`,
      },
    );
  }
  // 11.1: once only, until the proof would be refused as too old anyway.
  let firstUse: boolean;
  try {
    firstUse = await expected.replayStore.consume(
      `${thumbprint}.${jti}`,
      Math.floor(iat) + maxAge + 2 * skew + 1,
    );
  } catch (cause) {
    throw new StepupRpError('dpop_replay_store_unavailable', 'The DPoP proof could not be checked.', {
      detail: `replayStore.consume: ${cause instanceof Error ? cause.message : String(cause)}`,
      cause,
    });
  }
  if (!firstUse) throw new StepupRpError('dpop_proof_replayed', 'The DPoP proof was already used.');
}
