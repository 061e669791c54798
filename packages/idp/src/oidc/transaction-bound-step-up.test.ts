import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import { signPushResponse } from '../authenticator/device-key.ts';
import { listPendingChallenges } from '../authenticator/list-pending-challenges.ts';
import { respondToChallenge } from '../authenticator/respond-to-challenge.ts';
import { authorizationDetailsDigest } from '../authorization-details/authorization-details-digest.ts';
import { SALARY_PAYOUT_ACCOUNT } from '../authorization-details/testing/salary-payout-account-type.ts';
import { isTransactionWebAuthnChallenge } from '../authorization-details/transaction-webauthn-challenge.ts';
import { pushResponsePath } from '../factors/push/push-protocol.ts';
import { NO_TRANSACTION_FACTOR } from '../interaction/next-step.ts';
import { providerStores } from '../testing/provider-stores.ts';
import { enrollTestDevice, readPushPage, recordingLogger } from '../testing/push-login.ts';
import { SoftwareAuthenticator } from '../testing/software-authenticator.ts';
import { formAction, hiddenField } from '../testing/test-browser.ts';
import { startTestProvider, type TestProvider } from '../testing/test-provider.ts';
import {
  expectCallback,
  expectPage,
  type PendingLogin,
  submitPassword,
  TestRelyingParty,
} from '../testing/test-relying-party.ts';

const CLIENT_SECRET = 'txn-client-secret-0123456789abcdef0123';
const PASSWORD = 'correct horse battery';
const SALARY_API = 'https://salary.example/api';
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const PAYOUT = [
  { type: 'salary_payout_account', iban: 'DE89 3704 0044 0532 0130 00', holder: 'Alice Example' },
];
const SUMMARY = 'Change salary payout account: to DE89 3704 0044 0532 0130 00, holder Alice Example';

// The approval is single use and bound to its details on every store the nodes may share.
const STORES = await providerStores();

for (const store of STORES) {
  describe(`transaction-bound step-up (RFC 9396): push shows the details and signs over them, on ${store.name}`, {
    skip: store.skip ?? false,
  }, () => {
    let idp: TestProvider;
    let people = 0;
    const audit = recordingLogger();

    before(async () => {
      await store.clear();
      idp = await startTestProvider({ logger: audit.logger, ...store.settings() });
      await idp.stepup.store.authorizationDetailTypes.upsert(SALARY_PAYOUT_ACCOUNT);
      await idp.stepup.store.resourceServers.upsert({
        identifier: SALARY_API,
        scopes: ['payout:write'],
        accessTokenTtl: 300,
        signingAlg: 'RS256',
      });
      await idp.addClient({ client_id: 'salary', client_secret: CLIENT_SECRET, client_name: 'Salary' });
    });
    after(() => idp.close());

    const rpFor = () => TestRelyingParty.discover(idp.issuer, 'salary', { client_secret: CLIENT_SECRET });
    const transactionParams = (details: unknown = PAYOUT) => ({
      resource: SALARY_API,
      authorization_details: JSON.stringify(details),
    });

    async function personWithPhone() {
      people += 1;
      const user = await idp.addUser(`txn-${people}`, PASSWORD);
      return { user, device: await enrollTestDevice(idp, user.id) };
    }

    async function toPushPage(
      rp: TestRelyingParty,
      username: string,
      params: Record<string, string> = transactionParams(),
    ) {
      const pending = await rp.authorizationUrl(params);
      const login = expectPage(await rp.open(pending));
      const page = expectPage(await submitPassword(rp.browser, login.html, username, PASSWORD));
      return { pending, push: readPushPage(page) };
    }

    async function approveAndRedeem(
      rp: TestRelyingParty,
      device: Awaited<ReturnType<typeof personWithPhone>>['device'],
      pending: PendingLogin,
      push: ReturnType<typeof readPushPage>,
    ) {
      const [challenge] = await listPendingChallenges(device);
      assert.ok(challenge);
      await respondToChallenge(device, challenge.id, { decision: 'approve', number: push.number });
      return rp.redeem(expectCallback(await rp.browser.navigate(push.nextUrl)), pending);
    }

    test('the page and the device show the labelled details; the approval puts them in the tokens', async () => {
      const { user, device } = await personWithPhone();
      const rp = await rpFor();
      const { pending, push } = await toPushPage(rp, user.username);
      assert.ok(push.html.includes(SUMMARY), 'the sign-in page shows what is approved');
      const [challenge] = await listPendingChallenges(device);
      assert.deepEqual(challenge?.transaction, { summary: SUMMARY, details: PAYOUT });

      const tokens = await approveAndRedeem(rp, device, pending, push);
      assert.deepEqual(tokens.authorization_details, PAYOUT);
      const accessToken = decodeJwt(tokens.access_token);
      assert.deepEqual(accessToken.authorization_details, PAYOUT);
      assert.deepEqual(accessToken.amr, ['mfa', 'pwd', 'swk']);
      assert.deepEqual(tokens.claims()?.authorization_details, PAYOUT);
      assert.deepEqual(tokens.claims()?.amr, ['mfa', 'pwd', 'swk']);
      const satisfied = audit.events.find(
        (entry) => entry.event === 'stepup.satisfied' && entry.userId === user.id,
      );
      assert.deepEqual(satisfied?.authorizationDetails, {
        types: ['salary_payout_account'],
        digest: authorizationDetailsDigest(PAYOUT),
      });
      assert.ok(!JSON.stringify(audit.events).includes('0532 0130'), 'no account number in the audit events');
    });

    test('an approval signed over other details is refused and the login does not finish', async () => {
      const { user, device } = await personWithPhone();
      const rp = await rpFor();
      const { push } = await toPushPage(rp, user.username);
      const [challenge] = await listPendingChallenges(device);
      assert.ok(challenge);
      const tampered = [{ ...PAYOUT[0], iban: 'GB33 BUKB 2020 1555 5555 55' }];
      const body = await signPushResponse(device, {
        challengeId: challenge.id,
        decision: 'approve',
        number: push.number,
        nonce: challenge.nonce,
        transactionDetails: tampered,
      });
      const response = await fetch(`${idp.issuer}${pushResponsePath(challenge.id)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      assert.equal(response.status, 401);
      assert.equal(((await response.json()) as { error: string }).error, 'bad_signature');
      // The same for an approval signed as a plain sign-in, without the details.
      const plain = await signPushResponse(device, {
        challengeId: challenge.id,
        decision: 'approve',
        number: push.number,
        nonce: challenge.nonce,
      });
      const plainResponse = await fetch(`${idp.issuer}${pushResponsePath(challenge.id)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(plain),
      });
      assert.equal(((await plainResponse.json()) as { error: string }).error, 'bad_signature');
      const still = expectPage(await rp.browser.navigate(push.nextUrl));
      assert.equal(readPushPage(still).number, push.number, 'still waiting for an approval of these details');
    });

    test("a session's earlier MFA does not approve a transaction; prompt=none answers interaction_required", async () => {
      const { user, device } = await personWithPhone();
      const rp = await rpFor();
      const first = await toPushPage(rp, user.username);
      await approveAndRedeem(rp, device, first.pending, first.push);

      const silent = expectCallback(
        await rp.open(await rp.authorizationUrl({ ...transactionParams(), prompt: 'none' })),
      );
      assert.equal(silent.searchParams.get('error'), 'interaction_required');
      assert.equal(silent.searchParams.get('code'), null);

      const other = [{ ...PAYOUT[0], holder: 'Alice B. Example' }];
      const again = await rp.authorizationUrl(transactionParams(other));
      const push = readPushPage(expectPage(await rp.open(again)));
      assert.ok(push.html.includes('holder Alice B. Example'), 'a new push shows the new details');
      const tokens = await approveAndRedeem(rp, device, again, push);
      assert.deepEqual(tokens.authorization_details, other);
    });

    test('a person whose only second factor is TOTP is told to add a phone, with unmet_authentication_requirements', async () => {
      people += 1;
      const user = await idp.addUser(`txn-totp-${people}`, PASSWORD);
      await idp.importTotp(user.id, SECRET);
      const rp = await rpFor();
      const login = expectPage(await rp.open(await rp.authorizationUrl(transactionParams())));
      const callback = expectCallback(await submitPassword(rp.browser, login.html, user.username, PASSWORD));
      assert.equal(callback.searchParams.get('error'), 'unmet_authentication_requirements');
      assert.equal(callback.searchParams.get('error_description'), NO_TRANSACTION_FACTOR);
      assert.equal(callback.searchParams.get('code'), null);
    });

    test('a person with no second factor at all is not offered to enroll one for the transaction', async () => {
      people += 1;
      const user = await idp.addUser(`txn-none-${people}`, PASSWORD);
      const rp = await rpFor();
      const login = expectPage(await rp.open(await rp.authorizationUrl(transactionParams())));
      const callback = expectCallback(await submitPassword(rp.browser, login.html, user.username, PASSWORD));
      assert.equal(callback.searchParams.get('error'), 'unmet_authentication_requirements');
    });

    test('the code is single-use and a refresh never carries the details again', async () => {
      const { user, device } = await personWithPhone();
      const rp = await rpFor();
      const { pending, push } = await toPushPage(rp, user.username, {
        ...transactionParams(),
        scope: 'openid offline_access',
        prompt: 'consent',
      });
      const [challenge] = await listPendingChallenges(device);
      assert.ok(challenge);
      await respondToChallenge(device, challenge.id, { decision: 'approve', number: push.number });
      const callback = expectCallback(await rp.browser.navigate(push.nextUrl));
      const tokens = await rp.redeem(callback, pending);
      assert.deepEqual(tokens.authorization_details, PAYOUT);
      assert.ok(tokens.refresh_token, 'a refresh token was issued');
      const refreshed = await oidc.refreshTokenGrant(rp.config, tokens.refresh_token);
      assert.equal(refreshed.authorization_details, undefined);
      assert.equal(decodeJwt(refreshed.access_token).authorization_details, undefined);
      assert.equal(refreshed.claims()?.authorization_details, undefined);
      // A second exchange of the code fails (and revokes what the code gave, as oidc-provider does).
      await assert.rejects(rp.redeem(callback, pending), (error: unknown) => {
        assert.ok(error instanceof oidc.ResponseBodyError);
        assert.equal(error.error, 'invalid_grant');
        return true;
      });
    });

    test('a security key approves through a challenge derived from the details; the token carries them', async () => {
      people += 1;
      const user = await idp.addUser(`txn-key-${people}`, PASSWORD);
      await idp.importTotp(user.id, SECRET);
      const key = new SoftwareAuthenticator();
      await idp.stepup.store.webauthnCredentials.add({
        id: key.credentialId,
        userId: user.id,
        publicKey: key.publicKey,
        counter: 0,
        transports: ['usb'],
        aaguid: '00000000-0000-0000-0000-000000000000',
        deviceType: 'singleDevice',
        backedUp: false,
        attachment: 'cross-platform',
        name: 'Key',
        now: Math.floor(Date.now() / 1000),
      });
      const rp = await rpFor();
      const pending = await rp.authorizationUrl(transactionParams());
      const login = expectPage(await rp.open(pending));
      const page = expectPage(await submitPassword(rp.browser, login.html, user.username, PASSWORD));
      assert.ok(page.html.includes(SUMMARY), 'the page shows the details before the ceremony');
      assert.doesNotMatch(page.html, /name="code"/, 'TOTP is not offered for a transaction');
      const csrf = hiddenField(page.html, 'csrf');
      const action = formAction(page.html, '/webauthn');
      const options = await rp.browser.request(`${action}/options`, { form: { csrf } });
      const { challenge } = (await options.json()) as { challenge: string };
      assert.ok(isTransactionWebAuthnChallenge(challenge, authorizationDetailsDigest(PAYOUT)));
      const response = key.assert({ challenge, origin: idp.issuer, rpId: 'localhost' });
      const callback = expectCallback(
        await rp.browser.navigate(action, { form: { csrf, response: JSON.stringify(response) } }),
      );
      const tokens = await rp.redeem(callback, pending);
      assert.deepEqual(tokens.claims()?.authorization_details, PAYOUT);
      assert.deepEqual(tokens.claims()?.amr, ['hwk', 'mfa', 'pwd']);
    });

    test('100 concurrent copies of a valid approval of the details count once', async () => {
      const { user, device } = await personWithPhone();
      const rp = await rpFor();
      const { pending, push } = await toPushPage(rp, user.username);
      const [challenge] = await listPendingChallenges(device);
      assert.ok(challenge);
      const body = JSON.stringify(
        await signPushResponse(device, {
          challengeId: challenge.id,
          decision: 'approve',
          number: push.number,
          nonce: challenge.nonce,
          transactionDetails: PAYOUT,
        }),
      );
      const statuses = await Promise.all(
        Array.from({ length: 100 }, async () => {
          const response = await fetch(`${idp.issuer}${pushResponsePath(challenge.id)}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
          });
          await response.arrayBuffer();
          return response.status;
        }),
      );
      assert.equal(statuses.filter((status) => status === 200).length, 1);
      const tokens = await rp.redeem(expectCallback(await rp.browser.navigate(push.nextUrl)), pending);
      assert.deepEqual(tokens.authorization_details, PAYOUT);
    });
  });
}
