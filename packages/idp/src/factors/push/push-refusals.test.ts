import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { DeviceCredentials } from '../../authenticator/device-key.ts';
import {
  generateDeviceKey,
  importDevicePrivateKey,
  signPushResponse,
  signWithDeviceKey,
} from '../../authenticator/device-key.ts';
import { credentialsFromKeyFile } from '../../authenticator/device-key-file.ts';
import { enrollDevice, parseEnrollmentLink } from '../../authenticator/enroll-device.ts';
import { listPendingChallenges } from '../../authenticator/list-pending-challenges.ts';
import { listenForChallenges } from '../../authenticator/listen-for-challenges.ts';
import { respondToChallenge } from '../../authenticator/respond-to-challenge.ts';
import {
  enrollTestDevice,
  firstEvent,
  loginToSecondFactor,
  pushEnrollmentLink,
  readPushPage,
  recordingLogger,
} from '../../testing/push-login.ts';
import { formAction, hiddenField } from '../../testing/test-browser.ts';
import { startTestProvider, type TestProvider } from '../../testing/test-provider.ts';
import {
  expectCallback,
  expectPage,
  submitTotp,
  TestRelyingParty,
} from '../../testing/test-relying-party.ts';
import { totpCodeAt } from '../totp/totp.ts';
import { enrollmentMessage, type PushResponseBody, pushResponsePath } from './push-protocol.ts';

const CLIENT_SECRET = 'push-refusals-secret-0123456789abcdef';
const PASSWORD = 'correct horse battery';
const TTL = 30;

describe('push refusals: each bad input is refused and changes nothing', () => {
  let idp: TestProvider;
  /** Seconds added to the provider's clock, to let requests and tokens expire. */
  let offset = 0;
  const now = () => Math.floor(Date.now() / 1000) + offset;
  const audit = recordingLogger();
  const eventsFor = (userId: string) =>
    audit.events.filter((entry) => entry.userId === userId).map((entry) => entry.event);

  before(async () => {
    idp = await startTestProvider({
      logger: audit.logger,
      clock: now,
      push: {
        challengeTtlSeconds: TTL,
        sends: { limit: 3, windowSeconds: 900 },
        denials: { limit: 2, windowSeconds: 3600 },
      },
    });
    await idp.addClient({ client_id: 'salary', client_secret: CLIENT_SECRET, client_name: 'Salary' });
  });
  after(() => idp.close());

  const rpFor = () => TestRelyingParty.discover(idp.issuer, 'salary', { client_secret: CLIENT_SECRET });

  /** A user with a device, in the middle of a login whose push page is showing. */
  async function pushLogin(username: string, devices = 1) {
    const user = await idp.addUser(username, PASSWORD);
    const enrolled: DeviceCredentials[] = [];
    for (let i = 0; i < devices; i++) enrolled.push(await enrollTestDevice(idp, user.id, `Device ${i + 1}`));
    const rp = await rpFor();
    const { pending, page } = await loginToSecondFactor(rp, username, PASSWORD);
    const push = readPushPage(page);
    const [challenge] = await listPendingChallenges(enrolled[0] as DeviceCredentials);
    assert.ok(challenge);
    return {
      user,
      devices: enrolled,
      device: enrolled[0] as DeviceCredentials,
      rp,
      pending,
      push,
      challenge,
    };
  }

  async function post(path: string, body: unknown) {
    const response = await fetch(`${idp.issuer}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  /** The link a refusal page offers to carry the outcome back to the application. */
  function continueLink(html: string): string {
    const href = /<a class="button button-primary" href="([^"]+)"/.exec(html)?.[1];
    assert.ok(href, `no continue link in:\n${html}`);
    return href.replaceAll('&amp;', '&');
  }

  const statusOf = async (id: string) => (await idp.stepup.store.pushChallenges.findById(id))?.status;

  test('the first wrong number denies the request: the right one comes too late, and the page says why', async () => {
    const { user, device, challenge, push, rp } = await pushLogin('erin');
    const wrong = challenge.choices.find((number) => number !== push.number) ?? 0;
    await assert.rejects(respondToChallenge(device, challenge.id, { decision: 'approve', number: wrong }), {
      code: 'wrong_number',
      status: 422,
    });
    const stored = await idp.stepup.store.pushChallenges.findById(challenge.id);
    assert.deepEqual([stored?.status, stored?.denialReason], ['denied', 'wrong_number']);
    await assert.rejects(
      respondToChallenge(
        device,
        challenge.id,
        { decision: 'approve', number: push.number },
        { nonce: challenge.nonce },
      ),
      { code: 'challenge_resolved', status: 409 },
    );
    assert.deepEqual(await listPendingChallenges(device), []);
    assert.deepEqual(
      audit.events
        .filter((entry) => entry.userId === user.id && entry.event === 'push.denied')
        .map((e) => e.reason),
      ['wrong_number'],
    );

    // The waiting page shows the refusal and what to do; the login has ended below the level.
    const refused = expectPage(await rp.browser.navigate(push.nextUrl));
    assert.equal(refused.page.status, 403);
    assert.match(refused.html, /data-push-refusal="wrong_number"/);
    const callback = expectCallback(await rp.browser.navigate(continueLink(refused.html)));
    assert.equal(callback.searchParams.get('error'), 'unmet_authentication_requirements');
  });

  test('a wrong number counts as a denial: with one more, push pauses', async () => {
    const { device, challenge, push } = await pushLogin('frank');
    const wrong = challenge.choices.find((number) => number !== push.number) ?? 0;
    await assert.rejects(respondToChallenge(device, challenge.id, { decision: 'approve', number: wrong }), {
      code: 'wrong_number',
    });
    const second = await rpFor();
    readPushPage((await loginToSecondFactor(second, 'frank', PASSWORD)).page);
    const [next] = await listPendingChallenges(device);
    assert.ok(next);
    await respondToChallenge(device, next.id, { decision: 'deny' });

    const third = await loginToSecondFactor(await rpFor(), 'frank', PASSWORD);
    assert.equal(third.page.page.status, 429);
    assert.match(third.page.html, /<h1>Sign-in requests are paused<\/h1>/);
    assert.deepEqual(await listPendingChallenges(device), []);
  });

  test("an approval signed with another device's key, or sent by another user's device, is refused", async () => {
    const { device, challenge, push } = await pushLogin('grace');
    const heidi = await idp.addUser('heidi', PASSWORD);
    const other = await enrollTestDevice(idp, heidi.id);
    const answer = {
      challengeId: challenge.id,
      decision: 'approve',
      number: push.number,
      nonce: challenge.nonce,
    } as const;

    // Claims to be grace's device, signed with heidi's key.
    const forged = await signPushResponse(
      { deviceId: device.deviceId, privateKey: other.privateKey },
      answer,
    );
    const refused = await post(pushResponsePath(challenge.id), forged);
    assert.deepEqual([refused.status, refused.body.error], [401, 'bad_signature']);
    // Heidi's device, honestly signed: not its user's request.
    await assert.rejects(
      respondToChallenge(
        other,
        challenge.id,
        { decision: 'approve', number: push.number },
        { nonce: challenge.nonce },
      ),
      { code: 'unknown_challenge', status: 404 },
    );
    // The signature covers the number: changing it after signing breaks it.
    const signed = await signPushResponse(device, answer);
    const tampered = await post(pushResponsePath(challenge.id), {
      ...signed,
      decision: 'deny',
      number: null,
    });
    assert.deepEqual([tampered.status, tampered.body.error], [401, 'bad_signature']);
    assert.equal(await statusOf(challenge.id), 'open');
    assert.ok(
      audit.events.some((entry) => entry.event === 'push.rejected' && entry.reason === 'bad_signature'),
    );

    const accepted = await post(pushResponsePath(challenge.id), signed);
    assert.deepEqual(accepted, { status: 200, body: { id: challenge.id, status: 'approved' } });
  });

  test('an unenrolled or revoked device is refused everywhere', async () => {
    const { user, devices, challenge, push } = await pushLogin('ivan', 2);
    const { privateJwk } = await generateDeviceKey();
    const stranger: DeviceCredentials = {
      issuer: idp.issuer,
      deviceId: randomUUID(),
      privateKey: await importDevicePrivateKey(privateJwk),
    };
    const [kept, revoked] = devices as [DeviceCredentials, DeviceCredentials];
    assert.equal(await idp.stepup.store.pushDevices.revoke(revoked.deviceId, now()), true);
    for (const device of [stranger, revoked]) {
      await assert.rejects(listPendingChallenges(device), { code: 'unknown_device', status: 401 });
      await assert.rejects(listenForChallenges(device).next(), { code: 'unknown_device' });
      await assert.rejects(
        respondToChallenge(
          device,
          challenge.id,
          { decision: 'approve', number: push.number },
          { nonce: challenge.nonce },
        ),
        { code: 'unknown_device' },
      );
    }
    assert.equal(await statusOf(challenge.id), 'open');
    assert.equal((await listPendingChallenges(kept)).length, 1);
    assert.equal((await idp.stepup.store.pushDevices.listForUser(user.id)).length, 2);
  });

  test('a signed device request with a stale timestamp is refused', async () => {
    const { device } = await pushLogin('jack');
    await assert.rejects(listPendingChallenges(device, { now: () => now() - 120 }), {
      code: 'stale_request',
    });
    await assert.rejects(listPendingChallenges(device, { now: () => now() + 120 }), {
      code: 'stale_request',
    });
    assert.equal((await listPendingChallenges(device, { now: () => now() - 30 })).length, 1);
  });

  test('one request is answered once: a replay, a second device and concurrent approvals are refused', async () => {
    const { devices, challenge, push, rp, pending } = await pushLogin('judy', 2);
    const [first, second] = devices as [DeviceCredentials, DeviceCredentials];
    const answer = {
      challengeId: challenge.id,
      decision: 'approve',
      number: push.number,
      nonce: challenge.nonce,
    } as const;
    const body: PushResponseBody = await signPushResponse(first, answer);
    const results = await Promise.all([
      post(pushResponsePath(challenge.id), body),
      post(pushResponsePath(challenge.id), body),
      post(pushResponsePath(challenge.id), await signPushResponse(second, answer)),
    ]);
    assert.deepEqual(results.map((result) => result.status).sort(), [200, 409, 409]);
    assert.deepEqual(
      results.filter((result) => result.status === 409).map((result) => result.body.error),
      ['challenge_resolved', 'challenge_resolved'],
    );
    const replay = await post(pushResponsePath(challenge.id), body);
    assert.deepEqual([replay.status, replay.body.error], [409, 'challenge_resolved']);

    const tokens = await rp.redeem(expectCallback(await rp.browser.navigate(push.nextUrl)), pending);
    assert.deepEqual(tokens.claims()?.amr, ['mfa', 'pwd', 'swk']);
    const stored = await idp.stepup.store.pushChallenges.findById(challenge.id);
    assert.notEqual(stored?.consumedAt, null, 'the approval became a proof once');
  });

  test('an approval after the expiry is refused, wakes the page, and the person can send a new request', async () => {
    const { user, device, challenge, push, rp, pending } = await pushLogin('kate');
    const waiting = await firstEvent(rp.browser, push.eventsUrl);
    offset = TTL;
    try {
      await assert.rejects(
        respondToChallenge(
          device,
          challenge.id,
          { decision: 'approve', number: push.number },
          { nonce: challenge.nonce },
        ),
        {
          code: 'challenge_expired',
          status: 410,
        },
      );
      assert.equal(await statusOf(challenge.id), 'expired');
      assert.equal(await waiting.event, 'changed');
      await assert.rejects(
        respondToChallenge(
          device,
          challenge.id,
          { decision: 'approve', number: push.number },
          { nonce: challenge.nonce },
        ),
        {
          code: 'challenge_expired',
        },
      );
    } finally {
      offset = 0;
    }
    assert.deepEqual(
      eventsFor(user.id).filter((event) => String(event).startsWith('push.')),
      ['push.sent', 'push.expired'],
    );
    const expired = expectPage(await rp.browser.navigate(push.nextUrl));
    assert.match(expired.html, /<h1>The request expired<\/h1>/);
    const again = readPushPage(
      expectPage(
        await rp.browser.navigate(formAction(expired.html, '/push/resend'), {
          form: { csrf: hiddenField(expired.html, 'csrf') },
        }),
      ),
    );
    const [fresh] = await listPendingChallenges(device);
    assert.ok(fresh && fresh.id !== challenge.id);
    await respondToChallenge(device, fresh.id, { decision: 'approve', number: again.number });
    const tokens = await rp.redeem(expectCallback(await rp.browser.navigate(again.nextUrl)), pending);
    assert.deepEqual(tokens.claims()?.amr, ['mfa', 'pwd', 'swk']);
  });

  test('enrollment tokens are single use, short-lived and cannot be forged', async () => {
    const leo = await idp.addUser('leo', PASSWORD);
    const link = await pushEnrollmentLink(idp, leo.id, now());
    const { token } = parseEnrollmentLink(link);
    const devicesOfLeo = async () => (await idp.stepup.store.pushDevices.listForUser(leo.id)).length;

    await assert.rejects(enrollDevice(`${idp.issuer}/authenticator#enroll=${'A'.repeat(43)}`, 'Forged'), {
      code: 'invalid_enrollment_token',
      status: 400,
    });
    // A key the device does not hold: the proof fails and the token is not spent.
    const { privateJwk, publicJwk } = await generateDeviceKey();
    const { privateJwk: otherJwk } = await generateDeviceKey();
    const wrongProof = await post('/authenticator/devices', {
      token,
      name: 'Mallory',
      publicKey: publicJwk,
      signature: await signWithDeviceKey(
        await importDevicePrivateKey(otherJwk),
        enrollmentMessage({ token, name: 'Mallory' }),
      ),
    });
    assert.deepEqual([wrongProof.status, wrongProof.body.error], [401, 'bad_signature']);
    const privatePart = await post('/authenticator/devices', {
      token,
      name: 'Leaky',
      publicKey: privateJwk,
      signature: await signWithDeviceKey(
        await importDevicePrivateKey(privateJwk),
        enrollmentMessage({ token, name: 'Leaky' }),
      ),
    });
    assert.deepEqual([privatePart.status, privatePart.body.error], [400, 'invalid_public_key']);
    assert.equal(await devicesOfLeo(), 0);

    await credentialsFromKeyFile(await enrollDevice(link, 'Leo phone'));
    await assert.rejects(enrollDevice(link, 'Again'), { code: 'invalid_enrollment_token' });
    assert.equal(await devicesOfLeo(), 1);

    const late = await pushEnrollmentLink(idp, leo.id, now());
    offset = idp.stepup.config.push.enrollmentTtlSeconds;
    try {
      await assert.rejects(enrollDevice(late, 'Late'), { code: 'invalid_enrollment_token' });
    } finally {
      offset = 0;
    }
    assert.equal(await devicesOfLeo(), 1);
  });

  test('fatigue: one open request per login, and a cap on requests per account and window', async () => {
    const { user, device, rp, push } = await pushLogin('mike');
    // Reloading and asking again while a request is open sends nothing new.
    expectPage(await rp.browser.navigate(push.nextUrl));
    assert.equal((await listPendingChallenges(device)).length, 1);
    for (let login = 2; login <= 3; login++) {
      const other = await rpFor();
      readPushPage((await loginToSecondFactor(other, 'mike', PASSWORD)).page);
    }
    assert.equal((await listPendingChallenges(device)).length, 3);
    const capped = await loginToSecondFactor(await rpFor(), 'mike', PASSWORD);
    assert.equal(capped.page.page.status, 429);
    assert.match(capped.page.html, /<h1>Too many sign-in requests<\/h1>/);
    assert.ok(Number(capped.page.page.headers.get('retry-after')) > 0);
    assert.equal((await listPendingChallenges(device)).length, 3, 'no fourth request');
    assert.ok(
      audit.events.some(
        (entry) => entry.userId === user.id && entry.event === 'push.throttled' && entry.reason === 'cap',
      ),
    );
  });

  test('after repeated denials push pauses: another factor is offered first, and push sends nothing', async () => {
    const secret = 'KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU';
    const { user, device, challenge, push, rp } = await pushLogin('nina');
    await idp.importTotp(user.id, secret);
    await respondToChallenge(device, challenge.id, { decision: 'deny' });
    expectCallback(await rp.browser.navigate(push.nextUrl));
    const second = await rpFor();
    const secondPush = readPushPage((await loginToSecondFactor(second, 'nina', PASSWORD)).page);
    const [next] = await listPendingChallenges(device);
    assert.ok(next);
    await respondToChallenge(device, next.id, { decision: 'deny' });
    expectCallback(await second.browser.navigate(secondPush.nextUrl));

    const third = await rpFor();
    const { pending, page } = await loginToSecondFactor(third, 'nina', PASSWORD);
    assert.match(page.html, /name="code"/, 'TOTP is offered first');
    assert.match(page.html, /name="method" value="push"/, 'push stays under "try another way"');
    const paused = expectPage(
      await third.browser.navigate(formAction(page.html, '/choose'), {
        form: { csrf: hiddenField(page.html, 'csrf'), method: 'push' },
      }),
    );
    assert.equal(paused.page.status, 429);
    assert.match(paused.html, /<h1>Sign-in requests are paused<\/h1>/);
    assert.deepEqual(await listPendingChallenges(device), []);
    assert.ok(
      audit.events.some(
        (entry) => entry.userId === user.id && entry.event === 'push.throttled' && entry.reason === 'paused',
      ),
    );
    const totp = expectPage(
      await third.browser.navigate(formAction(paused.html, '/choose'), {
        form: { csrf: hiddenField(paused.html, 'csrf'), method: 'totp' },
      }),
    );
    const tokens = await third.redeem(
      expectCallback(await submitTotp(third.browser, totp.html, totpCodeAt(secret, now()))),
      pending,
    );
    assert.deepEqual(tokens.claims()?.amr, ['mfa', 'otp', 'pwd']);
  });
});
