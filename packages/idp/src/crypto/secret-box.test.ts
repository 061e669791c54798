import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SecretBox } from './secret-box.ts';

const box = new SecretBox(Buffer.alloc(32, 7));
const CONTEXT = 'totp:user-1';
const SEED = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

/** The four dot-separated parts of a sealed record: version, IV, ciphertext, tag. */
function parts(sealed: string): [string, Buffer, Buffer, Buffer] {
  const [version = '', iv = '', body = '', tag = ''] = sealed.split('.');
  return [
    version,
    Buffer.from(iv, 'base64url'),
    Buffer.from(body, 'base64url'),
    Buffer.from(tag, 'base64url'),
  ];
}

function join(version: string, iv: Buffer, body: Buffer, tag: Buffer): string {
  return [version, iv.toString('base64url'), body.toString('base64url'), tag.toString('base64url')].join('.');
}

describe('SecretBox', () => {
  test('opens what it sealed, for the same context; each seal uses a fresh IV', () => {
    const sealed = box.seal(SEED, CONTEXT);
    assert.equal(box.open(sealed, CONTEXT), SEED);
    assert.notEqual(box.seal(SEED, CONTEXT), sealed);
    assert.equal(box.open(box.seal('', CONTEXT), CONTEXT), '', 'an empty secret round-trips');
  });

  test('a record sealed for another context (another user) is refused', () => {
    assert.throws(() => box.open(box.seal(SEED, CONTEXT), 'totp:user-2'), /unable to authenticate data/);
  });

  test('a record sealed under another key is refused', () => {
    const other = new SecretBox(Buffer.alloc(32, 8));
    assert.throws(() => box.open(other.seal(SEED, CONTEXT), CONTEXT), /unable to authenticate data/);
  });

  test('any flipped bit in the IV, the ciphertext or the tag is refused', () => {
    const [version, iv, body, tag] = parts(box.seal(SEED, CONTEXT));
    for (const [name, part] of [
      ['iv', iv],
      ['ciphertext', body],
      ['tag', tag],
    ] as const) {
      for (const index of [0, part.length - 1]) {
        const flipped = Buffer.from(part);
        flipped[index] = (flipped[index] ?? 0) ^ 1;
        const record =
          name === 'iv'
            ? join(version, flipped, body, tag)
            : name === 'ciphertext'
              ? join(version, iv, flipped, tag)
              : join(version, iv, body, flipped);
        assert.throws(() => box.open(record, CONTEXT), Error, `${name} byte ${index}`);
      }
    }
  });

  test('a truncated tag is refused, not checked on fewer bytes', () => {
    const [version, iv, body, tag] = parts(box.seal(SEED, CONTEXT));
    for (const length of [4, 8, 12, 15]) {
      assert.throws(
        () => box.open(join(version, iv, body, tag.subarray(0, length)), CONTEXT),
        /sealed secret/,
      );
    }
  });

  test('malformed records are refused with one message: unknown version, missing or extra parts, a short IV', () => {
    const sealed = box.seal(SEED, CONTEXT);
    const [, iv, body, tag] = parts(sealed);
    for (const record of [
      sealed.replace(/^v1\./, 'v2.'),
      sealed.split('.').slice(0, 3).join('.'),
      `${sealed}.extra`,
      join('v1', iv.subarray(0, 8), body, tag),
      '',
    ]) {
      assert.throws(() => box.open(record, CONTEXT), /unsupported sealed secret/, record);
    }
  });

  test('a key that is not 32 bytes is refused', () => {
    assert.throws(() => new SecretBox(Buffer.alloc(16)), /32-byte key/);
  });
});
