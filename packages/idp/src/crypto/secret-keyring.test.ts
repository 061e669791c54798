import assert from 'node:assert/strict';
import { hkdfSync } from 'node:crypto';
import { describe, test } from 'node:test';
import { SecretKeyring } from './secret-keyring.ts';

const KEY_A = Buffer.alloc(32, 7);
const KEY_B = Buffer.alloc(32, 8);
const box = new SecretKeyring([KEY_A]);
const CONTEXT = 'totp:user-1';
const SEED = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

/** The parts of a sealed record: version, key id, IV, ciphertext, tag. */
function parts(sealed: string): [string, string, Buffer, Buffer, Buffer] {
  const [version = '', keyId = '', iv = '', body = '', tag = ''] = sealed.split('.');
  return [
    version,
    keyId,
    Buffer.from(iv, 'base64url'),
    Buffer.from(body, 'base64url'),
    Buffer.from(tag, 'base64url'),
  ];
}

function join(version: string, keyId: string, iv: Buffer, body: Buffer, tag: Buffer): string {
  return [
    version,
    keyId,
    iv.toString('base64url'),
    body.toString('base64url'),
    tag.toString('base64url'),
  ].join('.');
}

describe('SecretKeyring', () => {
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
    const other = new SecretKeyring([KEY_B]);
    assert.throws(() => box.open(other.seal(SEED, CONTEXT), CONTEXT), /not in the keyring/);
  });

  test('any flipped bit in the IV, the ciphertext or the tag is refused', () => {
    const [version, keyId, iv, body, tag] = parts(box.seal(SEED, CONTEXT));
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
            ? join(version, keyId, flipped, body, tag)
            : name === 'ciphertext'
              ? join(version, keyId, iv, flipped, tag)
              : join(version, keyId, iv, body, flipped);
        assert.throws(() => box.open(record, CONTEXT), Error, `${name} byte ${index}`);
      }
    }
  });

  test('a truncated tag is refused, not checked on fewer bytes', () => {
    const [version, keyId, iv, body, tag] = parts(box.seal(SEED, CONTEXT));
    for (const length of [4, 8, 12, 15]) {
      assert.throws(
        () => box.open(join(version, keyId, iv, body, tag.subarray(0, length)), CONTEXT),
        /sealed secret/,
      );
    }
  });

  test('malformed records are refused with one message: unknown version, missing or extra parts, a short IV', () => {
    const sealed = box.seal(SEED, CONTEXT);
    const [, keyId, iv, body, tag] = parts(sealed);
    for (const record of [
      sealed.replace(/^v2\./, 'v3.'),
      sealed.split('.').slice(0, 4).join('.'),
      `${sealed}.extra`,
      join('v2', keyId, iv.subarray(0, 8), body, tag),
      join('v1', keyId, iv, body, tag).replace(`.${keyId}`, ''),
      '',
    ]) {
      assert.throws(() => box.open(record, CONTEXT), /unsupported sealed secret/, record);
    }
  });

  test('a key that is not 32 bytes, an empty ring and a key given twice are refused', () => {
    assert.throws(() => new SecretKeyring([Buffer.alloc(16)]), TypeError);
    assert.throws(() => new SecretKeyring([]), TypeError);
    assert.throws(() => new SecretKeyring([KEY_A, KEY_B, Buffer.from(KEY_A)]), /twice/);
  });

  test('the current key seals, naming its id; every key of the ring opens what it sealed', () => {
    const old = new SecretKeyring([KEY_A]);
    const rotated = new SecretKeyring([KEY_B, KEY_A]);
    const sealedBefore = old.seal(SEED, CONTEXT);
    const sealedAfter = rotated.seal(SEED, CONTEXT);
    assert.equal(parts(sealedBefore)[1], old.currentKeyId);
    assert.equal(parts(sealedAfter)[1], rotated.currentKeyId);
    assert.notEqual(rotated.currentKeyId, old.currentKeyId);
    assert.deepEqual(rotated.keyIds, [rotated.currentKeyId, old.currentKeyId]);
    assert.ok(sealedAfter.startsWith(rotated.currentRecordPrefix));
    assert.ok(!sealedBefore.startsWith(rotated.currentRecordPrefix));
    assert.equal(rotated.open(sealedBefore, CONTEXT), SEED, 'the old key still opens');
    assert.equal(rotated.open(sealedAfter, CONTEXT), SEED);
    assert.throws(() => old.open(sealedAfter, CONTEXT), /not in the keyring/, 'a node without the new key');
  });

  test('a record cannot claim another key of the ring: the key id is authenticated', () => {
    const ring = new SecretKeyring([KEY_A, KEY_B]);
    const [version, , iv, body, tag] = parts(ring.seal(SEED, CONTEXT));
    const otherId = ring.keyIds[1] ?? '';
    assert.throws(
      () => ring.open(join(version, otherId, iv, body, tag), CONTEXT),
      /unable to authenticate data/,
    );
  });

  test('a key id is the same for the same key on every node, whatever its text form', () => {
    const base64 = KEY_A.toString('base64');
    const base64url = KEY_A.toString('base64url');
    assert.equal(SecretKeyring.parse(base64).currentKeyId, box.currentKeyId);
    assert.equal(SecretKeyring.parse(`  ${base64url}\n`).currentKeyId, box.currentKeyId);
    assert.equal(box.currentKeyId, hkdf(KEY_A, 'stepup key id', 6).toString('base64url'));
  });

  test('parse reads the current key first, separated by white space or commas', () => {
    const ring = SecretKeyring.parse(`${KEY_B.toString('base64')}, ${KEY_A.toString('base64url')}\n`);
    assert.deepEqual(ring.keyIds, [new SecretKeyring([KEY_B]).currentKeyId, box.currentKeyId]);
    const onlyB = new SecretKeyring([KEY_B]);
    const rewritten = SecretKeyring.parse([KEY_A.toString('base64url'), ...onlyB.keyTexts()].join('\n'));
    assert.deepEqual(rewritten.keyIds, [box.currentKeyId, onlyB.currentKeyId]);
  });

  test('parse refuses text that is not a list of 32-byte keys, without echoing the key', () => {
    const secretLooking = 'c2VjcmV0LWJ1dC10b28tc2hvcnQ';
    for (const text of [
      '',
      ' , ',
      secretLooking,
      `${KEY_A.toString('base64url')}!`,
      Buffer.alloc(33).toString('base64'),
    ]) {
      assert.throws(
        () => SecretKeyring.parse(text),
        (error: Error) => error instanceof TypeError && !error.message.includes(secretLooking),
        JSON.stringify(text),
      );
    }
  });

  test('bearer id keys: one per ring key, current first, HKDF with their own label, not the encryption key', () => {
    const ring = new SecretKeyring([KEY_B, KEY_A]);
    assert.deepEqual(ring.bearerIdKeys(), [
      hkdf(KEY_B, 'stepup bearer id', 32),
      hkdf(KEY_A, 'stepup bearer id', 32),
    ]);
    assert.notDeepEqual(ring.bearerIdKeys()[0], KEY_B);
    const first = ring.bearerIdKeys()[0] as Buffer;
    first.fill(0);
    assert.deepEqual(
      ring.bearerIdKeys()[0],
      hkdf(KEY_B, 'stepup bearer id', 32),
      'a caller cannot alter the ring',
    );
  });
});

function hkdf(key: Buffer, label: string, bytes: number): Buffer {
  return Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), label, bytes));
}
