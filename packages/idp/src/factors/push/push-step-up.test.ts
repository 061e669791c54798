import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ACR_MULTI_FACTOR } from '@stepup/core';
import { credentialsFromKeyFile } from '../../authenticator/device-key-file.ts';
import { enrollDevice } from '../../authenticator/enroll-device.ts';
import { listPendingChallenges } from '../../authenticator/list-pending-challenges.ts';
import { type DeviceStreamEvent, listenForChallenges } from '../../authenticator/listen-for-challenges.ts';
import { respondToChallenge } from '../../authenticator/respond-to-challenge.ts';
import {
  enrollTestDevice,
  firstEvent,
  loginToSecondFactor,
  readPushPage,
  recordingLogger,
} from '../../testing/push-login.ts';
import { formAction, hiddenField } from '../../testing/test-browser.ts';
import { startTestProvider, type TestProvider } from '../../testing/test-provider.ts';
import { expectCallback, expectPage, TestRelyingParty } from '../../testing/test-relying-party.ts';

const CLIENT_SECRET = 'push-client-secret-0123456789abcdef';
const PASSWORD = 'correct horse battery';

describe('push with number matching', () => {
  let idp: TestProvider;
  const audit = recordingLogger();
  const eventsFor = (userId: string) =>
    audit.events.filter((entry) => entry.userId === userId).map((entry) => entry.event);

  before(async () => {
    idp = await startTestProvider({ logger: audit.logger });
    await idp.addClient({ client_id: 'salary', client_secret: CLIENT_SECRET, client_name: 'Salary' });
  });
  after(() => idp.close());

  const rpFor = () => TestRelyingParty.discover(idp.issuer, 'salary', { client_secret: CLIENT_SECRET });

  test('the device learns of the request at once, approves with the number, and the waiting page continues by itself to acr MFA with amr mfa, pwd, swk', async () => {
    const alice = await idp.addUser('alice', PASSWORD);
    const device = await enrollTestDevice(idp, alice.id, "Alice's phone");
    const stream = listenForChallenges(device);
    assert.deepEqual((await stream.next()).value, { type: 'ready' });

    const rp = await rpFor();
    const { pending, page } = await loginToSecondFactor(rp, 'alice', PASSWORD);
    const push = readPushPage(page);
    assert.equal(push.status, 200);
    assert.match(
      push.html,
      /<noscript><meta http-equiv="refresh" content="3; url=\/interaction\/[^"]+\/push\/result"><\/noscript>/,
    );
    assert.match(push.html, /<script src="\/assets\/push-wait\.js" defer><\/script>/);
    assert.match(page.page.headers.get('content-security-policy') ?? '', /script-src 'self'/);

    const arrived = (await stream.next()).value as DeviceStreamEvent;
    assert.equal(arrived.type, 'challenge');
    if (arrived.type !== 'challenge') return;
    const { challenge } = arrived;
    assert.equal(challenge.clientName, 'Salary');
    assert.equal(challenge.ip, '127.0.0.1');
    assert.equal(challenge.choices.length, 3);
    assert.ok(challenge.choices.includes(push.number));
    assert.ok(!('number' in challenge), 'the device is not told the number');

    const waiting = await firstEvent(rp.browser, push.eventsUrl);
    assert.equal(waiting.status, 200);
    assert.deepEqual(
      await respondToChallenge(device, challenge.id, { decision: 'approve', number: push.number }),
      {
        id: challenge.id,
        status: 'approved',
      },
    );
    assert.equal(await waiting.event, 'changed', 'the approval wakes the waiting page');
    assert.deepEqual((await stream.next()).value, { type: 'resolved', id: challenge.id, status: 'approved' });
    await stream.return(undefined);

    const tokens = await rp.redeem(expectCallback(await rp.browser.navigate(push.nextUrl)), pending);
    assert.equal(tokens.claims()?.acr, ACR_MULTI_FACTOR);
    assert.deepEqual(tokens.claims()?.amr, ['mfa', 'pwd', 'swk']);
    assert.deepEqual(eventsFor(alice.id), [
      'factor.enrolled',
      'login.succeeded',
      'push.sent',
      'push.approved',
      'stepup.satisfied',
    ]);
    const [stored] = await idp.stepup.store.pushDevices.listForUser(alice.id);
    assert.equal(stored?.name, "Alice's phone");
    assert.notEqual(stored?.lastUsedAt, null);
  });

  test('a denial ends the step-up with unmet_authentication_requirements, never another prompt', async () => {
    const bob = await idp.addUser('bob', PASSWORD);
    const device = await enrollTestDevice(idp, bob.id);
    const rp = await rpFor();
    const { page } = await loginToSecondFactor(rp, 'bob', PASSWORD);
    const push = readPushPage(page);
    const waiting = await firstEvent(rp.browser, push.eventsUrl);
    const [challenge] = await listPendingChallenges(device);
    assert.ok(challenge);
    assert.deepEqual(await respondToChallenge(device, challenge.id, { decision: 'deny' }), {
      id: challenge.id,
      status: 'denied',
    });
    assert.equal(await waiting.event, 'changed');
    const callback = expectCallback(await rp.browser.navigate(push.nextUrl));
    assert.equal(callback.searchParams.get('error'), 'unmet_authentication_requirements');
    assert.ok(eventsFor(bob.id).includes('push.denied'));
  });

  test('without JavaScript the page polls: the result URL leads back to the same waiting page until an answer', async () => {
    const carol = await idp.addUser('carol', PASSWORD);
    const device = await enrollTestDevice(idp, carol.id);
    const rp = await rpFor();
    const { pending, page } = await loginToSecondFactor(rp, 'carol', PASSWORD);
    const push = readPushPage(page);
    const again = readPushPage(expectPage(await rp.browser.navigate(push.nextUrl)));
    assert.equal(again.number, push.number, 'the same request: at most one open per login');
    assert.equal((await listPendingChallenges(device)).length, 1);
    const [challenge] = await listPendingChallenges(device);
    assert.ok(challenge);
    await respondToChallenge(device, challenge.id, { decision: 'approve', number: push.number });
    const tokens = await rp.redeem(expectCallback(await rp.browser.navigate(push.nextUrl)), pending);
    assert.deepEqual(tokens.claims()?.amr, ['mfa', 'pwd', 'swk']);
  });

  test('a person with no second factor enrolls a device during the step-up, the page moves on by itself, and the first request completes it', async () => {
    const dave = await idp.addUser('dave', PASSWORD);
    const rp = await rpFor();
    const { pending, page } = await loginToSecondFactor(rp, 'dave', PASSWORD);
    assert.match(page.html, /Get sign-in requests on your phone/);
    assert.match(page.html, /<img class="qr-code" src="data:image\/png;base64,/);
    const link = /<a href="(http:\/\/localhost:\d+\/authenticator#enroll=[\w-]+)">/.exec(page.html)?.[1];
    assert.ok(link, 'shows the enrollment link');
    const eventsUrl = /data-push-events="([^"]+)"/.exec(page.html)?.[1] ?? '';
    const nextUrl = /data-push-next="([^"]+)"/.exec(page.html)?.[1] ?? '';
    const waiting = await firstEvent(rp.browser, eventsUrl);

    const device = await credentialsFromKeyFile(await enrollDevice(link, 'Dave phone'));
    assert.equal(await waiting.event, 'changed', 'the enrollment wakes the page');
    await assert.rejects(enrollDevice(link, 'Second'), { code: 'invalid_enrollment_token' });

    const push = readPushPage(expectPage(await rp.browser.navigate(nextUrl)));
    const [challenge] = await listPendingChallenges(device);
    assert.ok(challenge);
    await respondToChallenge(device, challenge.id, { decision: 'approve', number: push.number });
    // The first second factor brings recovery codes, shown once before the login continues.
    const codes = expectPage(await rp.browser.navigate(push.nextUrl));
    const done = await rp.browser.navigate(formAction(codes.html, '/recovery-codes/continue'), {
      form: { csrf: hiddenField(codes.html, 'csrf') },
    });
    const tokens = await rp.redeem(expectCallback(done), pending);
    assert.deepEqual(tokens.claims()?.amr, ['mfa', 'pwd', 'swk']);
    assert.ok(eventsFor(dave.id).includes('factor.enrolled'));
  });

  test('the authenticator app is served as an installable PWA under the CSP', async () => {
    const page = await fetch(`${idp.issuer}/authenticator`);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /<link rel="manifest" href="\/authenticator\/manifest\.webmanifest">/);
    assert.match(html, /<script type="module" src="\/assets\/authenticator\.js"><\/script>/);
    assert.ok(!/<script>/.test(html), 'no inline script');
    const csp = page.headers.get('content-security-policy') ?? '';
    for (const directive of ["script-src 'self'", "connect-src 'self'", "manifest-src 'self'"]) {
      assert.ok(csp.includes(directive), directive);
    }
    const manifest = (await (
      await fetch(`${idp.issuer}/authenticator/manifest.webmanifest`)
    ).json()) as Record<string, unknown>;
    assert.equal(manifest.start_url, '/authenticator');
    assert.equal(manifest.display, 'standalone');
    const worker = await fetch(`${idp.issuer}/authenticator/sw.js`);
    assert.equal(worker.headers.get('service-worker-allowed'), '/authenticator');
    for (const asset of [
      'authenticator.js',
      'push-protocol.js',
      'push-wait.js',
      'push.css',
      'authenticator-icon.svg',
    ]) {
      assert.equal((await fetch(`${idp.issuer}/assets/${asset}`)).status, 200, asset);
    }
  });
});
