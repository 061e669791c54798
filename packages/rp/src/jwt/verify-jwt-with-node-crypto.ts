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
 * Decodes `token[start, end)`, base64url, into the scratch buffer at `offset`; the number of bytes
 * written, or -1 unless the segment is unpadded base64url. Node's decoder skips characters outside
 * its alphabets (a `.` among them) and stops at `=`, so any such character shows as fewer bytes than
 * the length implies; a length of 4n+1 can never be base64 and is refused too. The standard
 * alphabet's `+` and `/`, which Node reads too, are refused by the caller for the whole token.
 */
function decodeSegment(token: string, start: number, end: number, offset: number): number {
  const length = end - start;
  if (length === 0 || length % 4 === 1) return -1;
  const written = scratchFor(offset + length).write(token.slice(start, end), offset, 'base64url');
  return written === (length * 3) >>> 2 ? written : -1;
}

function parseHeader(token: string, end: number): JsonObject | undefined {
  const length = decodeSegment(token, 0, end, 0);
  if (length === -1 || !isUtf8(scratch.subarray(0, length))) return undefined;
  try {
    const value: unknown = JSON.parse(scratch.toString('utf8', 0, length));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as JsonObject)
      : undefined;
  } catch {
    return undefined;
  }
}

/** A header that verified before, with what its verification needs, ready for the next token. */
interface KnownHeader {
  readonly encoded: string;
  readonly header: Readonly<JsonObject>;
  readonly alg: AsymmetricJwsAlgorithm;
  readonly hash: string | null;
  readonly kid: string | undefined;
  /** The key last used under this header, and its `crypto.verify` input (padding, signature encoding). */
  key: KeyObject | undefined;
  keyInput: ReturnType<typeof verifyKeyInput> | undefined;
}

/** The token is outside the common shape: jose decides. */
const DELEGATE = Symbol('delegate');

/**
 * The hot path of the bearer guard: verifies a compact JWT with `node:crypto` and the key set's
 * pre-imported key objects, in the same order and with the same outcomes as `jose.jwtVerify`
 * ({@link verifyJwtWithJose}). Anything outside the common shape — characters outside base64url,
 * padding, a header that does not decode to a JSON object, a `crit` or `b64` header, a missing
 * `alg`, a claims set with a byte-order mark or a replacement character — is handed to the `jose`
 * path whole, so the two can only differ in speed. The negative-case tests run both through one
 * loop to hold them to that.
 *
 * Per token it splits the compact form once, recognises a header it has verified before by its
 * encoded form (no decoding, no `JSON.parse`), writes the signing input and the signature into one
 * reused buffer, calls `crypto.verify` with the prepared key input, and decodes and parses the claims
 * set once.
 */
export class NodeCryptoJwtVerifier {
  readonly #keySet: RemoteKeySet;
  readonly #options: Omit<JwsVerifyOptions, 'now'>;
  readonly #headers = new Map<string, KnownHeader>();
  /** The header of the last token: most tokens carry the same one. */
  #lastHeader: KnownHeader | undefined;

  constructor(keySet: RemoteKeySet, options: Omit<JwsVerifyOptions, 'now'>) {
    this.#keySet = keySet;
    this.#options = { ...options, algorithms: [...options.algorithms] };
  }

  /**
   * Verifies `token` at `now` (seconds since the epoch, for the `jose` path). Synchronous (no promise)
   * when the token has the common shape and its key is cached — the hot path; a promise when the key
   * set must be asked or jose must decide.
   */
  verify(token: string, now: number): VerifiedJwt | Promise<VerifiedJwt> {
    const result = this.#attempt(token, undefined);
    if (result === DELEGATE) return this.#delegate(token, now);
    if (result instanceof Promise) return this.#verifyWithFetchedKey(token, now, result);
    return result;
  }

  async #verifyWithFetchedKey(token: string, now: number, key: Promise<KeyObject>): Promise<VerifiedJwt> {
    // The key was not cached: wait for the key set (a fetch), then verify with what it found.
    const result = this.#attempt(token, await key);
    if (result === DELEGATE || result instanceof Promise) return this.#delegate(token, now);
    return result;
  }

  /** The known header `token` starts with, if any; `firstDot` ends the encoded header. */
  #knownHeader(token: string, firstDot: number): KnownHeader | undefined {
    const encoded = token.slice(0, firstDot);
    const last = this.#lastHeader;
    if (last !== undefined && last.encoded === encoded) return last;
    const known = this.#headers.get(encoded);
    if (known !== undefined) this.#lastHeader = known;
    return known;
  }

  /** Reads a header not seen before; DELEGATE when jose must decide, alg_not_allowed before any key. */
  #readHeader(token: string, firstDot: number): KnownHeader | typeof DELEGATE {
    const header = parseHeader(token, firstDot);
    if (header === undefined || 'crit' in header || 'b64' in header) return DELEGATE;
    const alg = header.alg;
    if (typeof alg !== 'string' || alg === '') return DELEGATE;
    if (!this.#options.algorithms.includes(alg) || !Object.hasOwn(ASYMMETRIC_ALGORITHMS, alg)) {
      throw new StepupRpError(
        'alg_not_allowed',
        'The token is signed with an algorithm that is not allowed.',
        { detail: `alg ${JSON.stringify(alg)} is not one of ${this.#options.algorithms.join(', ')}` },
      );
    }
    const kid = Object.hasOwn(header, 'kid') ? header.kid : undefined;
    return {
      encoded: token.slice(0, firstDot),
      header,
      alg: alg as AsymmetricJwsAlgorithm,
      hash: ASYMMETRIC_ALGORITHMS[alg as AsymmetricJwsAlgorithm].hash,
      // A kid that is not a string is refused by findVerificationKey below, never kept.
      kid: typeof kid === 'string' ? kid : undefined,
      key: undefined,
      keyInput: undefined,
    };
  }

  #attempt(
    token: string,
    fetchedKey: KeyObject | undefined,
  ): VerifiedJwt | typeof DELEGATE | Promise<KeyObject> {
    const firstDot = token.indexOf('.');
    if (firstDot <= 0) return DELEGATE;
    const secondDot = token.indexOf('.', firstDot + 1);
    // A third dot is caught by the signature's decoding (a `.` is not base64url).
    if (secondDot <= firstDot + 1) return DELEGATE;
    // jose reads base64url only; Node's decoder would also take the standard alphabet's `+` and `/`.
    if (token.indexOf('+') !== -1 || token.indexOf('/') !== -1) return DELEGATE;

    const known = this.#knownHeader(token, firstDot);
    const entry = known ?? this.#readHeader(token, firstDot);
    if (entry === DELEGATE) return DELEGATE;
    let key = fetchedKey;
    if (key === undefined) {
      const found =
        known === undefined
          ? findVerificationKey(this.#keySet, entry.header)
          : (this.#keySet.cachedKey(entry.alg, entry.kid) ?? this.#keySet.getKey(entry.alg, entry.kid));
      if (found instanceof Promise) return found;
      key = found;
    }
    if (entry.key !== key) {
      entry.keyInput = verifyKeyInput(entry.alg, key);
      entry.key = key;
    }

    // Signing input, then signature, side by side in the scratch buffer.
    const signatureLength = decodeSegment(token, secondDot + 1, token.length, secondDot);
    if (signatureLength === -1) return DELEGATE;
    const buffer = scratch;
    buffer.write(token, 0, secondDot, 'latin1');
    let valid = false;
    try {
      valid = verify(
        entry.hash,
        buffer.subarray(0, secondDot),
        entry.keyInput as NonNullable<KnownHeader['keyInput']>,
        buffer.subarray(secondDot, secondDot + signatureLength),
      );
    } catch {
      valid = false;
    }
    // The claims set, over the signing input (no longer needed).
    const payloadLength = decodeSegment(token, firstDot + 1, secondDot, 0);
    if (payloadLength === -1) return DELEGATE;
    if (!valid) throw new StepupRpError('signature_invalid', 'The token signature is not valid.');
    const text = scratch.toString('utf8', 0, payloadLength);
    // Node decodes bad UTF-8 to U+FFFD and keeps a byte-order mark where jose refuses the first and
    // drops the second: let jose judge these rare shapes (a one-byte string is never either).
    if (text.charCodeAt(0) === 0xfeff || text.includes('\ufffd')) return DELEGATE;
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch {
      payload = undefined;
    }
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      throw new StepupRpError('token_malformed', 'The token is malformed.', {
        detail: 'the claims set is not a JSON object',
      });
    }
    if (known === undefined && this.#headers.size < MAX_CACHED_HEADERS) {
      Object.freeze(entry.header);
      this.#headers.set(entry.encoded, entry);
      this.#lastHeader = entry;
    }
    return { header: entry.header, payload: payload as JsonObject };
  }

  #delegate(token: string, now: number): Promise<VerifiedJwt> {
    return verifyJwtWithJose(token, (header) => findVerificationKey(this.#keySet, header), {
      ...this.#options,
      now,
    });
  }
}
