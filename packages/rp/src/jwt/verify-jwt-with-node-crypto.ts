import { isUtf8 } from 'node:buffer';
import { type KeyObject, verify } from 'node:crypto';
import { StepupRpError } from '../errors.ts';
import type { JsonObject } from './check-jwt-claims.ts';
import { ASYMMETRIC_ALGORITHMS, type AsymmetricJwsAlgorithm, verifyKeyInput } from './jws-algorithms.ts';
import type { RemoteKeySet } from './remote-key-set.ts';
import { findVerificationKey } from './verification-key.ts';
import { type JwsVerifyOptions, type VerifiedJwt, verifyJwtWithJose } from './verify-jwt-with-jose.ts';

/** Headers of tokens that verified, by their encoded form; a provider uses a handful. */
const MAX_CACHED_HEADERS = 32;

/**
 * One scratch buffer for decoding, reused across verifications (each use is synchronous): no
 * allocation per token for the signing input, the signature or the claims set.
 */
let scratch = Buffer.allocUnsafe(16 * 1024);

function scratchFor(length: number): Buffer {
  if (scratch.length < length) scratch = Buffer.allocUnsafe(length);
  return scratch;
}

/**
 * Decodes a base64url segment into the scratch buffer at `offset`; undefined unless the segment is
 * canonical unpadded base64url. Node's decoder skips characters outside its alphabets (and stops at
 * `=`), so any such character shows as fewer bytes than the length implies; a length of 4n+1 can
 * never be base64 and is refused too.
 */
function decodeSegment(segment: string, offset: number): Buffer | undefined {
  const length = segment.length;
  if (length === 0 || length % 4 === 1) return undefined;
  // Node also reads the standard alphabet's `+` and `/`; jose does not.
  if (segment.includes('+') || segment.includes('/')) return undefined;
  const buffer = scratchFor(offset + length);
  const written = buffer.write(segment, offset, 'base64url');
  if (written !== Math.floor((length * 3) / 4)) return undefined;
  return buffer.subarray(offset, offset + written);
}

function parseJsonObject(bytes: Buffer): JsonObject | undefined {
  if (!isUtf8(bytes)) return undefined;
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as JsonObject)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The token is outside the common shape: jose decides. */
const DELEGATE = Symbol('delegate');

/**
 * The hot path of the bearer guard: verifies a compact JWT with `node:crypto` and the key set's
 * pre-imported key objects, in the same order and with the same outcomes as `jose.jwtVerify`
 * ({@link verifyJwtWithJose}). Anything outside the common shape — characters outside base64url,
 * padding, a header that does not decode to a JSON object, a `crit` or `b64` header, a missing
 * `alg` — is handed to the `jose` path whole, so the two can only differ in speed. The negative-case
 * tests run both through one loop to hold them to that.
 */
export class NodeCryptoJwtVerifier {
  readonly #keySet: RemoteKeySet;
  readonly #headers = new Map<string, JsonObject>();

  constructor(keySet: RemoteKeySet) {
    this.#keySet = keySet;
  }

  /**
   * Verifies `token`. Synchronous (no promise) when the token has the common shape and its key is
   * cached — the hot path; a promise when the key set must be asked or jose must decide.
   */
  verify(token: string, options: JwsVerifyOptions): VerifiedJwt | Promise<VerifiedJwt> {
    const result = this.#attempt(token, options, undefined);
    if (result === DELEGATE) return this.#delegate(token, options);
    if (result instanceof Promise) return this.#verifyWithFetchedKey(token, options, result);
    return result;
  }

  async #verifyWithFetchedKey(
    token: string,
    options: JwsVerifyOptions,
    key: Promise<KeyObject>,
  ): Promise<VerifiedJwt> {
    // The key was not cached: wait for the key set (a fetch), then verify with what it found.
    const result = this.#attempt(token, options, await key);
    if (result === DELEGATE || result instanceof Promise) return this.#delegate(token, options);
    return result;
  }

  #readHeader(token: string): JsonObject | undefined {
    const firstDot = token.indexOf('.');
    if (firstDot <= 0) return undefined;
    const encoded = token.slice(0, firstDot);
    const known = this.#headers.get(encoded);
    if (known !== undefined) return known;
    const bytes = decodeSegment(encoded, 0);
    const header = bytes === undefined ? undefined : parseJsonObject(bytes);
    if (header === undefined || 'crit' in header || 'b64' in header) return undefined;
    return header;
  }

  #attempt(
    token: string,
    options: JwsVerifyOptions,
    fetchedKey: KeyObject | undefined,
  ): VerifiedJwt | typeof DELEGATE | Promise<KeyObject> {
    const firstDot = token.indexOf('.');
    const secondDot = token.indexOf('.', firstDot + 1);
    if (firstDot <= 0 || secondDot <= firstDot + 1 || token.indexOf('.', secondDot + 1) !== -1)
      return DELEGATE;
    const encodedHeader = token.slice(0, firstDot);
    const known = this.#headers.get(encodedHeader);
    const header = known ?? this.#readHeader(token);
    if (header === undefined) return DELEGATE;
    const alg = header.alg;
    if (typeof alg !== 'string' || alg === '') return DELEGATE;
    if (!options.algorithms.includes(alg) || !Object.hasOwn(ASYMMETRIC_ALGORITHMS, alg)) {
      throw new StepupRpError(
        'alg_not_allowed',
        'The token is signed with an algorithm that is not allowed.',
        {
          detail: `alg ${JSON.stringify(alg)} is not one of ${options.algorithms.join(', ')}`,
        },
      );
    }
    const algorithm = alg as AsymmetricJwsAlgorithm;
    let key = fetchedKey;
    if (key === undefined) {
      const found = findVerificationKey(this.#keySet, header);
      if (found instanceof Promise) return found;
      key = found;
    }
    // Signing input, then signature, side by side in the scratch buffer.
    const buffer = scratchFor(token.length);
    buffer.write(token, 0, secondDot, 'latin1');
    const signature = decodeSegment(token.slice(secondDot + 1), secondDot);
    if (signature === undefined) return DELEGATE;
    let valid = false;
    try {
      valid = verify(
        ASYMMETRIC_ALGORITHMS[algorithm].hash,
        buffer.subarray(0, secondDot),
        verifyKeyInput(algorithm, key),
        signature,
      );
    } catch {
      valid = false;
    }
    const payloadBytes = decodeSegment(token.slice(firstDot + 1, secondDot), 0);
    if (payloadBytes === undefined) return DELEGATE;
    if (!valid) throw new StepupRpError('signature_invalid', 'The token signature is not valid.');
    if (known === undefined && this.#headers.size < MAX_CACHED_HEADERS) {
      this.#headers.set(encodedHeader, Object.freeze(header));
    }
    const payload = parseJsonObject(payloadBytes);
    if (payload === undefined) {
      throw new StepupRpError('token_malformed', 'The token is malformed.', {
        detail: 'the claims set is not a JSON object',
      });
    }
    return { header, payload };
  }

  #delegate(token: string, options: JwsVerifyOptions): Promise<VerifiedJwt> {
    return verifyJwtWithJose(token, (header) => findVerificationKey(this.#keySet, header), options);
  }
}
