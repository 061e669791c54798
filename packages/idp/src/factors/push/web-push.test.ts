import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createDecipheriv, createECDH, hkdfSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import pino from 'pino';
import { type DeviceCredentials, signWithDeviceKey } from '../../authenticator/device-key.ts';
import { listenForChallenges } from '../../authenticator/listen-for-challenges.ts';
import { configSchema } from '../../config/config-schema.ts';
import type { WebPushSubscription } from '../../store/push-devices.ts';
import { enrollTestDevice, loginToSecondFactor, readPushPage } from '../../testing/push-login.ts';
import { startTestProvider, type TestProvider } from '../../testing/test-provider.ts';
import { TestRelyingParty } from '../../testing/test-relying-party.ts';
import { PUSH_DEVICE_PATHS, webPushSubscriptionMessage } from './push-protocol.ts';

const CLIENT_SECRET = 'web-push-client-secret-0123456789abcdef';
const PASSWORD = 'correct horse battery';
const SUBJECT = 'mailto:security@example.com';

/** One POST a push service received. */
interface PushDelivery {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/**
 * A push service on 127.0.0.1 over TLS (a certificate made for the test): it answers 201, or 410
 * for paths under `/gone/`, and hands each delivery to whoever waits for it.
 */
async function startPushService() {
  const folder = mkdtempSync(join(tmpdir(), 'stepup-push-service-'));
  execFileSync('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
    '-keyout',
    join(folder, 'key.pem'),
    '-out',
    join(folder, 'cert.pem'),
  ]);
  const cert = readFileSync(join(folder, 'cert.pem'));
  const key = readFileSync(join(folder, 'key.pem'));
  rmSync(folder, { recursive: true, force: true });
  const waiting: ((delivery: PushDelivery) => void)[] = [];
  const received: PushDelivery[] = [];
  const server: Server = createServer({ cert, key }, (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = request.url ?? '';
      response.writeHead(path.startsWith('/gone/') ? 410 : 201).end();
      const delivery = { path, headers: request.headers, body: Buffer.concat(chunks) };
      const waiter = waiting.shift();
      if (waiter) waiter(delivery);
      else received.push(delivery);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    agent: new Agent({ ca: cert }),
    next(): Promise<PushDelivery> {
      const delivery = received.shift();
      return delivery ? Promise.resolve(delivery) : new Promise((resolve) => waiting.push(resolve));
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The browser's half of a subscription: the keys it decrypts with (RFC 8291 3.2). */
function browserSubscription(endpoint: string) {
  const ecdh = createECDH('prime256v1');
  const publicKey = ecdh.generateKeys();
  const auth = randomBytes(16);
  const subscription: WebPushSubscription = {
    endpoint,
    keys: { p256dh: publicKey.toString('base64url'), auth: auth.toString('base64url') },
  };
  return { subscription, ecdh, publicKey, auth };
}

/** Decrypts an `aes128gcm` Web Push body with the subscription's private key (RFC 8291 3.3–3.4, RFC 8188 2). */
function decryptPushMessage(body: Buffer, receiver: ReturnType<typeof browserSubscription>): string {
  const salt = body.subarray(0, 16);
  const idLength = body.readUInt8(20);
  const senderPublicKey = body.subarray(21, 21 + idLength);
  const ciphertext = body.subarray(21 + idLength);
  const sharedSecret = receiver.ecdh.computeSecret(senderPublicKey);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), receiver.publicKey, senderPublicKey]);
  const ikm = Buffer.from(hkdfSync('sha256', sharedSecret, receiver.auth, keyInfo, 32));
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(ciphertext.subarray(-16));
  const record = Buffer.concat([decipher.update(ciphertext.subarray(0, -16)), decipher.final()]);
  // The last record: data, then the delimiter 2, then zero padding.
  const delimiter = record.lastIndexOf(2);
  assert.ok(record.subarray(delimiter + 1).every((byte) => byte === 0));
  return record.subarray(0, delimiter).toString('utf8');
}

/** The VAPID public key (an uncompressed P-256 point) as a JWK, to verify the token with. */
function vapidJwk(publicKey: string) {
  const point = Buffer.from(publicKey, 'base64url');
  return {
    kty: 'EC',
    crv: 'P-256',
    x: point.subarray(1, 33).toString('base64url'),
    y: point.subarray(33).toString('base64url'),
  };
}

describe('Web Push (VAPID) to the authenticator app', () => {
  let idp: TestProvider;
  let pushService: Awaited<ReturnType<typeof startPushService>>;
  const logs: Record<string, unknown>[] = [];
  const logWaiters: { match: (entry: Record<string, unknown>) => boolean; resolve: () => void }[] = [];
  const logged = (match: (entry: Record<string, unknown>) => boolean) =>
    logs.some(match)
      ? Promise.resolve()
      : new Promise<void>((resolve) => logWaiters.push({ match, resolve }));

  before(async () => {
    pushService = await startPushService();
    const logger = pino(
      { level: 'info' },
      {
        write(line: string) {
          const entry = JSON.parse(line) as Record<string, unknown>;
          logs.push(entry);
          for (const waiter of logWaiters.filter((candidate) => candidate.match(entry))) waiter.resolve();
        },
      },
    );
    idp = await startTestProvider({
      logger,
      push: { webPush: { enabled: true, subject: SUBJECT, allowedHosts: ['127.0.0.1'] } },
      webPushAgent: pushService.agent,
    });
    await idp.addClient({ client_id: 'salary', client_secret: CLIENT_SECRET, client_name: 'Salary' });
  });
  after(async () => {
    await idp?.close();
    await pushService?.close();
  });

  const now = () => Math.floor(Date.now() / 1000);

  async function vapidPublicKey(): Promise<string> {
    const response = await fetch(`${idp.issuer}${PUSH_DEVICE_PATHS.webPush}`);
    assert.equal(response.status, 200);
    return ((await response.json()) as { publicKey: string }).publicKey;
  }

  async function subscribe(
    device: DeviceCredentials,
    subscription: WebPushSubscription | null,
    options: { ts?: number; signWith?: CryptoKey } = {},
  ) {
    const ts = options.ts ?? now();
    const signature = await signWithDeviceKey(
      options.signWith ?? device.privateKey,
      webPushSubscriptionMessage({ deviceId: device.deviceId, timestamp: ts, subscription }),
    );
    const response = await fetch(`${idp.issuer}${PUSH_DEVICE_PATHS.webPush}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ device: device.deviceId, ts, subscription, signature }),
    });
    const text = await response.text();
    return { status: response.status, error: text ? (JSON.parse(text) as { error: string }).error : null };
  }

  test('a push request reaches the subscribed device encrypted, with only the request id and the application name', async () => {
    const user = await idp.addUser('web-push-alice', PASSWORD);
    const device = await enrollTestDevice(idp, user.id, 'Phone');
    const receiver = browserSubscription(`${pushService.origin}/send/alice-phone`);
    assert.deepEqual(await subscribe(device, receiver.subscription), { status: 204, error: null });
    const publicKey = await vapidPublicKey();
    assert.equal(Buffer.from(publicKey, 'base64url').length, 65);

    const rp = await TestRelyingParty.discover(idp.issuer, 'salary', { client_secret: CLIENT_SECRET });
    const { page } = await loginToSecondFactor(rp, user.username, PASSWORD);
    const shown = readPushPage(page);
    const delivery = await pushService.next();
    const [challenge] = await idp.stepup.store.pushChallenges.listPendingForUser(user.id, now());
    assert.ok(challenge);
    assert.equal(challenge.number, shown.number);

    assert.equal(delivery.path, '/send/alice-phone');
    assert.equal(delivery.headers['content-encoding'], 'aes128gcm');
    assert.equal(delivery.headers.ttl, String(challenge.expiresAt - challenge.createdAt));
    assert.equal(delivery.headers.urgency, 'high');
    // RFC 8292 3: "vapid t=<JWT>, k=<public key>"; the token is for this push service's origin.
    const authorization = /^vapid t=([^,]+), k=([A-Za-z0-9_-]+)$/.exec(
      String(delivery.headers.authorization),
    );
    assert.ok(authorization, String(delivery.headers.authorization));
    const [, token = '', key] = authorization;
    assert.equal(key, publicKey);
    assert.equal(decodeProtectedHeader(token).alg, 'ES256');
    const { payload } = await jwtVerify(token, await importJWK(vapidJwk(publicKey), 'ES256'), {
      audience: pushService.origin,
      subject: SUBJECT,
    });
    assert.ok((payload.exp ?? 0) > now() && (payload.exp ?? 0) <= now() + 24 * 3600);

    const message = JSON.parse(decryptPushMessage(delivery.body, receiver));
    assert.deepEqual(message, { challengeId: challenge.id, clientName: 'Salary' });
  });

  test('an unreachable push service is logged and changes nothing for the login; a gone subscription is forgotten', async () => {
    const user = await idp.addUser('web-push-bob', PASSWORD);
    const device = await enrollTestDevice(idp, user.id, 'Phone');
    const tablet = await enrollTestDevice(idp, user.id, 'Tablet');
    // Nothing listens on port 9 of 127.0.0.1: the connection is refused.
    assert.equal(
      (await subscribe(device, browserSubscription('https://127.0.0.1:9/send/bob').subscription)).status,
      204,
    );
    const gone = browserSubscription(`${pushService.origin}/gone/bob-tablet`);
    assert.equal((await subscribe(tablet, gone.subscription)).status, 204);
    const stream = listenForChallenges(device);
    assert.deepEqual((await stream.next()).value, { type: 'ready' });

    const rp = await TestRelyingParty.discover(idp.issuer, 'salary', { client_secret: CLIENT_SECRET });
    const { page } = await loginToSecondFactor(rp, user.username, PASSWORD);
    assert.equal(readPushPage(page).status, 200, 'the login page waits for the answer as ever');
    const arrived = (await stream.next()).value;
    assert.equal(arrived?.type, 'challenge', 'the event stream still carries the request');
    await stream.return(undefined);

    assert.equal((await pushService.next()).path, '/gone/bob-tablet');
    await logged((entry) => entry.msg === 'web push delivery failed' && entry.deviceId === device.deviceId);
    await logged(
      (entry) => entry.msg === 'web push subscription gone; forgotten' && entry.deviceId === tablet.deviceId,
    );
    assert.deepEqual(
      (await idp.stepup.store.pushDevices.listWebPushSubscriptions(user.id)).map((entry) => entry.deviceId),
      [device.deviceId],
    );
  });

  test('a subscription is refused, and nothing stored, unless signed fresh by an active device', async () => {
    const user = await idp.addUser('web-push-carol', PASSWORD);
    const device = await enrollTestDevice(idp, user.id, 'Phone');
    const other = await enrollTestDevice(idp, user.id, 'Other');
    const { subscription } = browserSubscription(`${pushService.origin}/send/carol`);

    const refusals: [Awaited<ReturnType<typeof subscribe>>, number, string][] = [
      [await subscribe(device, subscription, { signWith: other.privateKey }), 401, 'bad_signature'],
      [await subscribe(device, subscription, { ts: now() - 120 }), 401, 'stale_request'],
      [
        await subscribe(device, { ...subscription, endpoint: 'http://127.0.0.1:9/send/carol' }),
        400,
        'invalid_request',
      ],
      [
        await subscribe(device, { ...subscription, endpoint: 'https://10.0.0.1/send/carol' }),
        400,
        'invalid_request',
      ],
      [
        await subscribe(device, { ...subscription, keys: { ...subscription.keys, auth: 'c2hvcnQ' } }),
        400,
        'invalid_request',
      ],
      [await subscribe({ ...device, deviceId: 'unknown-device' }, subscription), 401, 'unknown_device'],
    ];
    for (const [result, status, error] of refusals) assert.deepEqual(result, { status, error });
    await idp.stepup.store.pushDevices.revoke(other.deviceId, now());
    assert.deepEqual(await subscribe(other, subscription), { status: 401, error: 'unknown_device' });
    assert.deepEqual(await idp.stepup.store.pushDevices.listWebPushSubscriptions(user.id), []);

    // Signed properly, then forgotten by the device itself.
    assert.equal((await subscribe(device, subscription)).status, 204);
    assert.equal((await idp.stepup.store.pushDevices.listWebPushSubscriptions(user.id)).length, 1);
    assert.equal((await subscribe(device, null)).status, 204);
    assert.deepEqual(await idp.stepup.store.pushDevices.listWebPushSubscriptions(user.id), []);
  });
});

describe('Web Push settings', () => {
  test('off by default: no key is served and none is generated', async () => {
    const idp = await startTestProvider();
    try {
      assert.equal((await fetch(`${idp.issuer}${PUSH_DEVICE_PATHS.webPush}`)).status, 404);
      assert.equal(await idp.stepup.store.keys.get('web-push-vapid-keys'), undefined);
    } finally {
      await idp.close();
    }
  });

  test('enabled needs a mailto: or https: subject, named in the error', () => {
    const refused = (webPush: unknown) => {
      const result = configSchema.safeParse({ issuer: 'https://id.example', push: { webPush } });
      assert.equal(result.success, false);
      return result.error?.issues.map((issue) => issue.path.join('.'));
    };
    assert.deepEqual(refused({ enabled: true }), ['push.webPush.subject']);
    assert.deepEqual(refused({ enabled: true, subject: 'http://id.example' }), ['push.webPush.subject']);
    assert.deepEqual(refused({ enabled: true, subject: 'security@example.com' }), ['push.webPush.subject']);
    const accepted = configSchema.parse({
      issuer: 'https://id.example',
      push: { webPush: { enabled: true, subject: 'https://id.example/contact' } },
    });
    assert.deepEqual(accepted.push.webPush, {
      enabled: true,
      subject: 'https://id.example/contact',
      allowedHosts: [
        'fcm.googleapis.com',
        'updates.push.services.mozilla.com',
        '.push.apple.com',
        '.notify.windows.com',
      ],
    });
    assert.deepEqual(
      refused({
        enabled: true,
        subject: 'https://id.example/contact',
        allowedHosts: ['https://evil.example/'],
      }),
      ['push.webPush.allowedHosts.0'],
    );
  });
});
