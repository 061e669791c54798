import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  generateDeviceKey,
  importDevicePrivateKey,
  signWithDeviceKey,
} from '../../authenticator/device-key.ts';
import { readDevicePublicKey, verifyDeviceSignature } from './device-public-key.ts';
import { drawPushNumbers } from './push-numbers.ts';
import * as protocol from './push-protocol.ts';

/** The authenticator app's copy of the protocol, run here as the browser runs it (WebCrypto). */
interface AppProtocol {
  PUSH_DEVICE_PATHS: typeof protocol.PUSH_DEVICE_PATHS;
  ENROLLMENT_FRAGMENT: string;
  pushResponsePath: typeof protocol.pushResponsePath;
  pushResponseMessage: typeof protocol.pushResponseMessage;
  deviceRequestMessage: typeof protocol.deviceRequestMessage;
  enrollmentMessage: typeof protocol.enrollmentMessage;
  webPushSubscriptionMessage: typeof protocol.webPushSubscriptionMessage;
  generateDeviceKey(extractable?: boolean): Promise<CryptoKeyPair>;
  exportPublicJwk(key: CryptoKey): Promise<{ kty: string; crv: string; x: string; y: string }>;
  signMessage(key: CryptoKey, message: string): Promise<string>;
  signedDeviceUrl(request: {
    origin: string;
    path: string;
    deviceId: string;
    privateKey: CryptoKey;
    now?: number;
  }): Promise<string>;
}
const appModule = new URL('../../interaction/assets/push-protocol.js', import.meta.url).href;
const app = (await import(appModule)) as AppProtocol;

const ANSWER = {
  challengeId: 'c0ffee00-0000-4000-8000-000000000001',
  decision: 'approve',
  number: 42,
  nonce: 'n-1',
} as const;

describe('push protocol', () => {
  test('the app and the provider build the same messages, paths and fragment', () => {
    assert.equal(
      protocol.pushResponseMessage(ANSWER),
      'stepup-push/v1\nresponse\nc0ffee00-0000-4000-8000-000000000001\napprove\n42\nn-1',
    );
    assert.equal(app.pushResponseMessage(ANSWER), protocol.pushResponseMessage(ANSWER));
    const denial = { ...ANSWER, decision: 'deny', number: null } as const;
    assert.equal(app.pushResponseMessage(denial), protocol.pushResponseMessage(denial));
    const request = { path: '/authenticator/stream', deviceId: 'd-1', timestamp: 1_700_000_000 };
    assert.equal(app.deviceRequestMessage(request), protocol.deviceRequestMessage(request));
    assert.equal(
      app.enrollmentMessage({ token: 't', name: 'Phone' }),
      protocol.enrollmentMessage({ token: 't', name: 'Phone' }),
    );
    const subscribed = {
      deviceId: 'd-1',
      timestamp: 1_700_000_000,
      subscription: { endpoint: 'https://push.example/s/1', keys: { p256dh: 'BPk', auth: 'au' } },
    };
    assert.equal(
      protocol.webPushSubscriptionMessage(subscribed),
      'stepup-push/v1\nweb-push\nd-1\n1700000000\nhttps://push.example/s/1\nBPk\nau',
    );
    assert.equal(app.webPushSubscriptionMessage(subscribed), protocol.webPushSubscriptionMessage(subscribed));
    const forgotten = { ...subscribed, subscription: null };
    assert.equal(app.webPushSubscriptionMessage(forgotten), protocol.webPushSubscriptionMessage(forgotten));
    assert.deepEqual({ ...app.PUSH_DEVICE_PATHS }, { ...protocol.PUSH_DEVICE_PATHS });
    assert.equal(app.ENROLLMENT_FRAGMENT, protocol.ENROLLMENT_FRAGMENT);
    assert.equal(app.pushResponsePath('a/b'), protocol.pushResponsePath('a/b'));
  });

  test('a field with a line break cannot be signed (it would shift the fields)', () => {
    assert.throws(() => protocol.pushResponseMessage({ ...ANSWER, nonce: 'n\napprove' }), TypeError);
    assert.throws(() => app.enrollmentMessage({ token: 't', name: 'a\nb' }), TypeError);
  });

  test("the app's non-extractable WebCrypto key signs what the provider verifies, and nothing else", async () => {
    const keys = await app.generateDeviceKey(false);
    assert.equal(keys.privateKey.extractable, false);
    const publicKey = readDevicePublicKey(await app.exportPublicJwk(keys.publicKey));
    const message = protocol.pushResponseMessage(ANSWER);
    const signature = await app.signMessage(keys.privateKey, message);
    assert.match(signature, /^[A-Za-z0-9_-]{86}$/, 'IEEE P1363: 64 bytes');
    assert.equal(verifyDeviceSignature(publicKey, message, signature), true);
    assert.equal(
      verifyDeviceSignature(publicKey, protocol.pushResponseMessage({ ...ANSWER, number: 43 }), signature),
      false,
    );
    const other = readDevicePublicKey(await app.exportPublicJwk((await app.generateDeviceKey()).publicKey));
    assert.equal(verifyDeviceSignature(other, message, signature), false);
    assert.equal(verifyDeviceSignature(publicKey, message, 'not-a-signature'), false);

    const url = new URL(
      await app.signedDeviceUrl({
        origin: 'http://localhost',
        path: '/authenticator/stream',
        deviceId: 'd-1',
        privateKey: keys.privateKey,
        now: 1_700_000_000,
      }),
    );
    assert.equal(url.pathname, '/authenticator/stream');
    assert.equal(url.searchParams.get('ts'), '1700000000');
    const signed = protocol.deviceRequestMessage({
      path: url.pathname,
      deviceId: 'd-1',
      timestamp: 1_700_000_000,
    });
    assert.equal(verifyDeviceSignature(publicKey, signed, url.searchParams.get('sig') ?? ''), true);
  });

  test("the CLI's key signs what the provider verifies", async () => {
    const { privateJwk, publicJwk } = await generateDeviceKey();
    const signature = await signWithDeviceKey(await importDevicePrivateKey(privateJwk), 'hello');
    assert.equal(verifyDeviceSignature(readDevicePublicKey(publicJwk), 'hello', signature), true);
  });

  test('readDevicePublicKey accepts only a public EC P-256 point', async () => {
    const { privateJwk, publicJwk } = await generateDeviceKey();
    const { kty, crv, x, y } = publicJwk as Required<JsonWebKey>;
    assert.deepEqual(readDevicePublicKey({ ...publicJwk, ext: true, key_ops: ['verify'] }), {
      kty,
      crv,
      x,
      y,
    });
    const bad = [
      privateJwk,
      { ...publicJwk, crv: 'P-384' },
      { ...publicJwk, kty: 'RSA' },
      { ...publicJwk, x: x.slice(1) },
      { kty, crv, x, y: x }, // not on the curve (almost surely)
      'jwk',
      null,
    ];
    for (const jwk of bad) assert.throws(() => readDevicePublicKey(jwk), { code: 'invalid_public_key' });
  });

  test('drawPushNumbers: a two-digit number among three distinct two-digit choices', () => {
    const positions = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const { number, choices } = drawPushNumbers();
      assert.ok(number >= 10 && number <= 99);
      assert.equal(choices.length, 3);
      assert.equal(new Set(choices).size, 3);
      assert.ok(choices.every((choice) => choice >= 10 && choice <= 99));
      positions.add(choices.indexOf(number));
    }
    assert.deepEqual([...positions].sort(), [0, 1, 2], 'the right number is not always in one place');
    // An injected source makes it predictable.
    const sequence = [42, 42, 17, 88, 0, 1];
    const fixed = drawPushNumbers(() => sequence.shift() ?? 0);
    assert.deepEqual(fixed, { number: 42, choices: [88, 17, 42] });
  });
});
