import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';

/** Digests an Action may compute: the ones Auth0's patterns use (webhook HMACs, hashed ids). */
export const ACTION_DIGESTS = ['sha256', 'sha1', 'md5', 'sha384', 'sha512'] as const;
const INPUT_ENCODINGS = ['utf8', 'hex', 'base64', 'base64url', 'latin1'] as const;
const OUTPUT_ENCODINGS = ['hex', 'base64', 'base64url', 'latin1'] as const;
/** Bytes one `randomBytes` call may ask for, and characters one digest may read. */
export const MAX_RANDOM_BYTES = 4096;
const MAX_DIGEST_INPUT_CHARS = 1024 * 1024;

type InputEncoding = (typeof INPUT_ENCODINGS)[number];

/**
 * `require('crypto')` inside the sandbox, as JavaScript evaluated there: a function of the one host
 * primitive `host(operation, …strings)` that returns the module. The module is the sandbox's own
 * object; only strings cross to the host and back. Hashing stays on the host because QuickJS has no
 * source of secure random numbers at all (`randomBytes` must come from the host), and because
 * compiling a pure-JavaScript hash library into every fresh context would cost each such login
 * milliseconds (see `sandbox-prelude.ts`); Node's OpenSSL digests are the reference ones.
 *
 * As in Node: `createHash(alg)`, `createHmac(alg, key)` with `update(data[, inputEncoding])` and
 * `digest([encoding])`, `randomBytes(size)`, `randomUUID()`, `timingSafeEqual(a, b)`, `getHashes()`.
 * There is no `Buffer`: bytes are `Uint8Array`s (`digest()` without an encoding, `randomBytes`).
 */
export const CRYPTO_MODULE_SOURCE = `(function (host) {
  'use strict';
  var INPUT = ${JSON.stringify([...INPUT_ENCODINGS, 'utf-8', 'binary'])};
  var OUTPUT = ${JSON.stringify([...OUTPUT_ENCODINGS, 'binary'])};
  var HASHES = ${JSON.stringify(ACTION_DIGESTS)};
  function toHex(bytes) {
    var text = '';
    for (var i = 0; i < bytes.length; i++) text += (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16);
    return text;
  }
  function fromHex(hex) {
    var bytes = new Uint8Array(hex.length / 2);
    for (var i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.substr(i * 2, 2), 16);
    return bytes;
  }
  function isBytes(value) {
    return ArrayBuffer.isView(value) && value.BYTES_PER_ELEMENT === 1;
  }
  /** [encoding, text] of a string or byte array given to update() or as a key. */
  function input(data, encoding, what) {
    if (typeof data === 'string') {
      var name = encoding === undefined ? 'utf8' : encoding;
      if (INPUT.indexOf(name) < 0) throw new TypeError('Unknown encoding: ' + name);
      return [name === 'utf-8' ? 'utf8' : name === 'binary' ? 'latin1' : name, data];
    }
    if (isBytes(data)) return ['hex', toHex(data)];
    throw new TypeError('The "' + what + '" argument must be a string or a Uint8Array');
  }
  function Digest(algorithm, key) {
    var parts = [];
    var done = false;
    this.update = function (data, encoding) {
      if (done) throw new Error('Digest already called');
      var part = input(data, encoding, 'data');
      parts.push(part[0], part[1]);
      return this;
    };
    this.digest = function (encoding) {
      if (done) throw new Error('Digest already called');
      done = true;
      if (encoding !== undefined && OUTPUT.indexOf(encoding) < 0) throw new TypeError('Unknown encoding: ' + encoding);
      var output = encoding === undefined ? 'hex' : encoding === 'binary' ? 'latin1' : encoding;
      var args = ['digest', algorithm, output].concat(key ? key : ['none', '']).concat(parts);
      var result = host.apply(undefined, args);
      return encoding === undefined ? fromHex(result) : result;
    };
  }
  return Object.freeze({
    createHash: function (algorithm) { return new Digest(String(algorithm), null); },
    createHmac: function (algorithm, key) { return new Digest(String(algorithm), input(key, undefined, 'key')); },
    randomBytes: function (size) {
      if (typeof size !== 'number' || !(size >= 0) || size % 1 !== 0) {
        throw new TypeError('The "size" argument must be a non-negative integer');
      }
      return fromHex(host('random', String(size)));
    },
    randomUUID: function () { return host('uuid'); },
    timingSafeEqual: function (a, b) {
      if (!isBytes(a) || !isBytes(b)) throw new TypeError('The arguments must be Uint8Arrays');
      if (a.length !== b.length) throw new RangeError('Input buffers must have the same byte length');
      var difference = 0;
      for (var i = 0; i < a.length; i++) difference |= a[i] ^ b[i];
      return difference === 0;
    },
    getHashes: function () { return HASHES.slice(); },
  });
})`;

/** A call of the host primitive that the host refuses; the execution fails with this message. */
export class CryptoCallError extends Error {}

/**
 * The host side of the primitive: `digest`, `random` and `uuid` over strings only. Anything
 * unexpected — an unknown digest or encoding, too much input — is a `CryptoCallError`.
 */
export function runCryptoOperation(args: readonly string[]): string {
  const [operation, ...rest] = args;
  switch (operation) {
    case 'uuid':
      return randomUUID();
    case 'random': {
      const size = Number(rest[0]);
      if (!Number.isSafeInteger(size) || size < 0 || size > MAX_RANDOM_BYTES) {
        throw new CryptoCallError(`randomBytes: size must be 0 to ${MAX_RANDOM_BYTES}`);
      }
      return randomBytes(size).toString('hex');
    }
    case 'digest': {
      const [algorithm = '', output = '', keyEncoding = '', key = '', ...parts] = rest;
      const name = algorithm.toLowerCase();
      if (!(ACTION_DIGESTS as readonly string[]).includes(name)) {
        throw new CryptoCallError(`digest "${algorithm}" is not one of ${ACTION_DIGESTS.join(', ')}`);
      }
      if (!(OUTPUT_ENCODINGS as readonly string[]).includes(output) || parts.length % 2 !== 0) {
        throw new CryptoCallError('digest: malformed call');
      }
      if (parts.reduce((total, part) => total + part.length, key.length) > MAX_DIGEST_INPUT_CHARS) {
        throw new CryptoCallError(`digest: more than ${MAX_DIGEST_INPUT_CHARS} characters of input`);
      }
      const hash =
        keyEncoding === 'none'
          ? createHash(name)
          : createHmac(name, Buffer.from(key, inputEncoding(keyEncoding)));
      for (let index = 0; index < parts.length; index += 2) {
        hash.update(Buffer.from(parts[index + 1] ?? '', inputEncoding(parts[index] ?? '')));
      }
      return hash.digest().toString(output as (typeof OUTPUT_ENCODINGS)[number]);
    }
    default:
      throw new CryptoCallError(`unknown operation ${String(operation)}`);
  }
}

function inputEncoding(name: string): InputEncoding {
  if (!(INPUT_ENCODINGS as readonly string[]).includes(name))
    throw new CryptoCallError('digest: malformed call');
  return name as InputEncoding;
}
