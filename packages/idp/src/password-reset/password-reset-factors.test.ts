import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { verifyPassword } from '../accounts/password-hashing.ts';
import type { DeviceCredentials } from '../authenticator/device-key.ts';
import { listPendingChallenges } from '../authenticator/list-pending-challenges.ts';
import { respondToChallenge } from '../authenticator/respond-to-challenge.ts';
import { PushFatigueGuard } from '../factors/push/push-fatigue.ts';
import { relyingPartyFor } from '../factors/webauthn/webauthn-relying-party.ts';
import { resetLinksSentTo } from '../testing/outbox.ts';
import { providerStores } from '../testing/provider-stores.ts';
import { enrollTestDevice, firstEvent } from '../testing/push-login.ts';
import { SoftwareAuthenticator } from '../testing/software-authenticator.ts';
import { TestBrowser } from '../testing/test-browser.ts';
import { startTestProvider, type TestProvider } from '../testing/test-provider.ts';

const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'violet kettle across the dune';

// Push requests and WebAuthn challenges live in the durable store, or in Redis beside PostgreSQL:
// the proofs are single use and bound to their link on each.
const STORES = await providerStores();

for (const store of STORES) {
  describe(`forgotten password: a person whose second factor is a phone or a security key, on ${store.name}`, {
    skip: store.skip ?? false,
  }, () => {
    let idp: TestProvider;
    let users = 0;

    before(async () => {
      await store.clear();
      idp = await startTestProvider(store.settings());
    });
    after(() => idp.close());

    async function newUser() {
      users += 1;
      const username = `reset-factor-${users}`;
      const email = `${username}@example.com`;
      const user = await idp.addUser(username, PASSWORD, { email });
      return { user, username, email };
    }

    async function linkFor(email: string, username: string): Promise<string> {
      const sent = resetLinksSentTo(idp.dataDir, email).length;
      const asked = await new TestBrowser(idp.issuer).request('/account/password/forgot', {
        form: { login: username },
      });
      assert.equal(asked.status, 200);
      await idp.stepup.accountMailSettled();
      const links = resetLinksSentTo(idp.dataDir, email);
      assert.equal(links.length, sent + 1, 'one more link in the outbox');
      return links.at(-1) as string;
    }

    const tokenOf = (link: string) => new URL(link).searchParams.get('token') ?? '';
    const open = async (link: string) => {
      const response = await new TestBrowser(idp.issuer).request(
        new URL(link).pathname + new URL(link).search,
      );
      return { status: response.status, html: await response.text() };
    };
    const submitReset = (link: string, form: Record<string, string> = {}) =>
      new TestBrowser(idp.issuer).request('/account/password/reset', {
        form: { token: tokenOf(link), new_password: NEW_PASSWORD, confirm_password: NEW_PASSWORD, ...form },
      });
    const storedPasswordIs = async (userId: string, password: string) =>
      verifyPassword((await idp.stepup.store.users.findById(userId))?.passwordHash, password);
    const resetAudit = async (userId: string) =>
      (await idp.stepup.store.auditEvents.query({ userId, type: 'password.reset' }, { limit: 5 })).events.map(
        (event) => [event.outcome, event.details.secondFactor, event.details.factor],
      );

    describe('push', () => {
      /** Sends the link's push request as the page's button does; resolves the number the page shows. */
      async function sendPush(link: string): Promise<{ number: number; eventsUrl: string }> {
        const sent = await new TestBrowser(idp.issuer).request('/account/password/reset/push', {
          form: { token: tokenOf(link) },
        });
        assert.equal(sent.status, 303);
        assert.equal(sent.headers.get('location'), `/account/password/reset?token=${tokenOf(link)}`);
        const waiting = await open(link);
        assert.equal(waiting.status, 200);
        const number = /class="push-number"[^>]*>(\d{2})</.exec(waiting.html)?.[1];
        const eventsUrl = /data-push-events="([^"]+)"/.exec(waiting.html)?.[1];
        assert.ok(number && eventsUrl, 'the waiting page shows the number and listens for the answer');
        assert.doesNotMatch(waiting.html, /name="new_password"/, 'no password form before the approval');
        return { number: Number(number), eventsUrl: eventsUrl.replaceAll('&amp;', '&') };
      }

      /** The one request waiting on the device, as the authenticator app lists it. */
      async function pendingOn(device: DeviceCredentials) {
        const pending = await listPendingChallenges(device);
        assert.equal(pending.length, 1);
        const [challenge] = pending;
        assert.ok(challenge);
        assert.equal(challenge.clientName, 'Password reset');
        return challenge;
      }

      test('the page asks the phone; an approval with the right number lets the new password be set', async () => {
        const { user, username, email } = await newUser();
        const device = await enrollTestDevice(idp, user.id);
        const link = await linkFor(email, username);

        const first = await open(link);
        assert.equal(first.status, 200);
        assert.match(first.html, /action="\/account\/password\/reset\/push"/);
        assert.doesNotMatch(first.html, /name="new_password"/);
        assert.deepEqual(await listPendingChallenges(device), [], 'opening the link sends nothing');

        const { number, eventsUrl } = await sendPush(link);
        const challenge = await pendingOn(device);
        const stream = await firstEvent(new TestBrowser(idp.issuer), eventsUrl);
        assert.equal(stream.status, 200);
        assert.deepEqual(await respondToChallenge(device, challenge.id, { decision: 'approve', number }), {
          id: challenge.id,
          status: 'approved',
        });
        assert.equal(await stream.event, 'changed', 'the approval wakes the waiting page');

        const form = await open(link);
        assert.equal(form.status, 200);
        assert.match(form.html, /data-reset-push-approved/);
        assert.match(form.html, /name="new_password"/);
        const done = await submitReset(link);
        assert.equal(done.status, 200);
        assert.match(await done.text(), /data-reset-done/);
        assert.equal(await storedPasswordIs(user.id, NEW_PASSWORD), true);
        assert.deepEqual(await resetAudit(user.id), [['success', true, 'push']]);
      });

      test('a denial refuses the reset and keeps the link usable for a new request', async () => {
        const { user, username, email } = await newUser();
        const device = await enrollTestDevice(idp, user.id);
        const link = await linkFor(email, username);

        const beforeAsking = await submitReset(link);
        assert.equal(beforeAsking.status, 401, 'no request sent, nothing approved');
        assert.equal(beforeAsking.headers.get('stepup-error-code'), 'push_not_approved');

        await sendPush(link);
        const denied = await pendingOn(device);
        await respondToChallenge(device, denied.id, { decision: 'deny' });
        assert.match((await open(link)).html, /data-reset-push-denied/);
        const refused = await submitReset(link);
        assert.equal(refused.status, 401);
        assert.equal(refused.headers.get('stepup-error-code'), 'push_not_approved');
        assert.equal(await storedPasswordIs(user.id, PASSWORD), true, 'a denial changes nothing');

        const { number } = await sendPush(link);
        const second = await pendingOn(device);
        assert.notEqual(second.id, denied.id);
        await respondToChallenge(device, second.id, { decision: 'approve', number });
        const done = await submitReset(link);
        assert.equal(done.status, 200);
        assert.equal(await storedPasswordIs(user.id, NEW_PASSWORD), true);
      });

      test("an approval of another link's request does not count for this link", async () => {
        const { user, username, email } = await newUser();
        const device = await enrollTestDevice(idp, user.id);
        const approvedLink = await linkFor(email, username);
        const otherLink = await linkFor(email, username);

        const { number } = await sendPush(approvedLink);
        await respondToChallenge(device, (await pendingOn(device)).id, { decision: 'approve', number });
        const refused = await submitReset(otherLink);
        assert.equal(refused.status, 401);
        assert.equal(refused.headers.get('stepup-error-code'), 'push_not_approved');
        assert.doesNotMatch((await open(otherLink)).html, /name="new_password"/);
        assert.equal(await storedPasswordIs(user.id, PASSWORD), true);

        const done = await submitReset(approvedLink);
        assert.equal(done.status, 200, 'the approval is still there for its own link');
      });

      test('of 100 concurrent redemptions of one approval, exactly one sets its password', async () => {
        const { user, username, email } = await newUser();
        const device = await enrollTestDevice(idp, user.id);
        const link = await linkFor(email, username);
        const { number } = await sendPush(link);
        await respondToChallenge(device, (await pendingOn(device)).id, { decision: 'approve', number });
        const passwords = Array.from({ length: 100 }, (_, index) => `violet kettle number ${index}`);
        const answers = await Promise.all(
          passwords.map((password) =>
            submitReset(link, { new_password: password, confirm_password: password }),
          ),
        );
        const statuses = answers.map((answer) => answer.status);
        assert.equal(statuses.filter((status) => status === 200).length, 1);
        assert.equal(
          statuses.filter((status) => status === 200 || status === 400 || status === 401).length,
          100,
        );
        assert.equal(await storedPasswordIs(user.id, passwords[statuses.indexOf(200)] as string), true);
      });

      test('requests count against the same per-account cap as sign-in requests', async () => {
        const { user, username, email } = await newUser();
        const device = await enrollTestDevice(idp, user.id);
        const link = await linkFor(email, username);
        // The account's sign-in requests of the window, counted as the sign-in page counts them.
        const fatigue = new PushFatigueGuard(idp.stepup.store.attempts, idp.stepup.config.push);
        const now = Math.floor(Date.now() / 1000);
        for (let sent = 0; sent < idp.stepup.config.push.sends.limit; sent += 1) {
          assert.equal(await fatigue.takeSend(user.id, now), undefined);
        }
        const refused = await new TestBrowser(idp.issuer).request('/account/password/reset/push', {
          form: { token: tokenOf(link) },
        });
        assert.equal(refused.status, 429);
        assert.equal(refused.headers.get('stepup-error-code'), 'push_throttled');
        assert.ok(Number(refused.headers.get('retry-after')) > 0);
        assert.match(await refused.text(), /data-reset-push-blocked/);
        assert.deepEqual(await listPendingChallenges(device), [], 'nothing was sent');
        assert.equal((await submitReset(link)).status, 401);
        assert.equal(await storedPasswordIs(user.id, PASSWORD), true);
      });

      test('a revoked device leaves no second factor to ask: the reset needs none', async () => {
        const { user, username, email } = await newUser();
        const device = await enrollTestDevice(idp, user.id);
        await idp.stepup.store.pushDevices.revoke(device.deviceId, Math.floor(Date.now() / 1000));
        const link = await linkFor(email, username);
        const form = await open(link);
        assert.match(form.html, /name="new_password"/);
        assert.equal((await submitReset(link)).status, 200);
        assert.deepEqual(await resetAudit(user.id), [['success', false, 'none']]);
      });
    });

    describe('security key or passkey', () => {
      const relyingParty = () => relyingPartyFor(idp.issuer);

      const registerKey = (userId: string, key: SoftwareAuthenticator) =>
        idp.stepup.store.webauthnCredentials.add(
          key.securityKeyRecord(userId, Math.floor(Date.now() / 1000)),
        );

      /** Asks for the link's options as the page's script does; resolves their challenge. */
      async function challengeOf(link: string): Promise<string> {
        const response = await fetch(`${idp.issuer}/account/password/reset/webauthn/options`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ csrf: tokenOf(link) }),
        });
        assert.equal(response.status, 200);
        return ((await response.json()) as { challenge: string }).challenge;
      }

      const assertion = (key: SoftwareAuthenticator, challenge: string) =>
        JSON.stringify(
          key.assert({
            challenge,
            origin: relyingParty().origin,
            rpId: relyingParty().id,
            userVerified: true,
          }),
        );

      test("the key's assertion for this link's challenge lets the new password be set", async () => {
        const { user, username, email } = await newUser();
        const key = new SoftwareAuthenticator();
        await registerKey(user.id, key);
        const link = await linkFor(email, username);
        const form = await open(link);
        assert.equal(form.status, 200);
        assert.match(form.html, /data-webauthn="authenticate"/);
        assert.match(form.html, /name="new_password"/);

        const done = await submitReset(link, { response: assertion(key, await challengeOf(link)) });
        assert.equal(done.status, 200);
        assert.match(await done.text(), /data-reset-done/);
        assert.equal(await storedPasswordIs(user.id, NEW_PASSWORD), true);
        assert.deepEqual(await resetAudit(user.id), [['success', true, 'webauthn']]);
      });

      test('a key not registered to the person is refused, and the link still works', async () => {
        const { user, username, email } = await newUser();
        const key = new SoftwareAuthenticator();
        await registerKey(user.id, key);
        const link = await linkFor(email, username);

        const stranger = await submitReset(link, {
          response: assertion(new SoftwareAuthenticator(), await challengeOf(link)),
        });
        assert.equal(stranger.status, 401);
        assert.equal(stranger.headers.get('stepup-error-code'), 'webauthn_refused');
        const missing = await submitReset(link);
        assert.equal(missing.status, 401, 'no assertion at all');
        assert.equal(missing.headers.get('stepup-error-code'), 'webauthn_refused');
        assert.equal(await storedPasswordIs(user.id, PASSWORD), true);

        const done = await submitReset(link, { response: assertion(key, await challengeOf(link)) });
        assert.equal(done.status, 200);
      });

      test("an assertion for another link's challenge does not count for this link", async () => {
        const { user, username, email } = await newUser();
        const key = new SoftwareAuthenticator();
        await registerKey(user.id, key);
        const otherLink = await linkFor(email, username);
        const link = await linkFor(email, username);

        const borrowed = await submitReset(link, { response: assertion(key, await challengeOf(otherLink)) });
        assert.equal(borrowed.status, 401);
        assert.equal(borrowed.headers.get('stepup-error-code'), 'webauthn_refused');
        assert.equal(await storedPasswordIs(user.id, PASSWORD), true);
      });
    });
  });
}

describe('forgotten password: the only second factor is switched off by the operator', () => {
  let idp: TestProvider;
  before(async () => {
    idp = await startTestProvider({ factors: { push: { enabled: false } } });
  });
  after(() => idp.close());

  test('the page says to ask an administrator, and no request is sent', async () => {
    const user = await idp.addUser('reset-switched-off', PASSWORD, { email: 'switched-off@example.com' });
    const device = await enrollTestDevice(idp, user.id);
    await new TestBrowser(idp.issuer).request('/account/password/forgot', {
      form: { login: 'reset-switched-off' },
    });
    await idp.stepup.accountMailSettled();
    const [link] = resetLinksSentTo(idp.dataDir, 'switched-off@example.com');
    assert.ok(link);
    const token = new URL(link).searchParams.get('token') ?? '';
    const shown = await new TestBrowser(idp.issuer).request(`/account/password/reset?token=${token}`);
    assert.equal(shown.status, 403);
    assert.match(await shown.text(), /data-reset-needs-help/);
    const asked = await new TestBrowser(idp.issuer).request('/account/password/reset/push', {
      form: { token },
    });
    assert.equal(asked.status, 400);
    assert.deepEqual(await listPendingChallenges(device), []);
    const sent = await new TestBrowser(idp.issuer).request('/account/password/reset', {
      form: { token, new_password: NEW_PASSWORD, confirm_password: NEW_PASSWORD },
    });
    assert.equal(sent.status, 403);
    assert.equal(
      await verifyPassword((await idp.stepup.store.users.findById(user.id))?.passwordHash, PASSWORD),
      true,
    );
  });
});
