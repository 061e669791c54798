import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { signPushResponse } from '../authenticator/device-key.ts';
import { listPendingChallenges } from '../authenticator/list-pending-challenges.ts';
import { SALARY_PAYOUT_ACCOUNT } from '../authorization-details/testing/salary-payout-account-type.ts';
import { pushResponsePath } from '../factors/push/push-protocol.ts';
import { NO_TRANSACTION_FACTOR } from '../interaction/next-step.ts';
import { type CallbackServer, launchChromium, startCallbackServer } from '../testing/chromium.ts';
import { enrollTestDevice, pushEnrollmentLink } from '../testing/push-login.ts';
import { startTestProvider, type TestProvider } from '../testing/test-provider.ts';
import { TestRelyingParty } from '../testing/test-relying-party.ts';

const PASSWORD = 'correct horse battery';
const CLIENT_SECRET = 'txn-browser-secret-0123456789abcdef';
const SALARY_API = 'https://salary.example/api';
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const PAYOUT = [
  { type: 'salary_payout_account', iban: 'DE89 3704 0044 0532 0130 00', holder: 'Alice Example' },
];
const SUMMARY = 'Change salary payout account: to DE89 3704 0044 0532 0130 00, holder Alice Example';

describe('transaction-bound step-up in Chromium: the page and the app show the details', () => {
  let idp: TestProvider;
  let browser: Browser;
  let callback: CallbackServer;

  before(async () => {
    [idp, browser, callback] = await Promise.all([
      startTestProvider(),
      launchChromium(),
      startCallbackServer(),
    ]);
    await idp.stepup.store.authorizationDetailTypes.upsert(SALARY_PAYOUT_ACCOUNT);
    await idp.stepup.store.resourceServers.upsert({
      identifier: SALARY_API,
      scopes: ['payout:write'],
      accessTokenTtl: 300,
      signingAlg: 'RS256',
    });
    await idp.addClient({
      client_id: 'salary',
      client_secret: CLIENT_SECRET,
      client_name: 'Salary',
      redirect_uris: [callback.redirectUri],
    });
  });
  after(async () => {
    await browser?.close();
    await callback?.close();
    await idp?.close();
  });

  async function authorize() {
    const rp = await TestRelyingParty.discover(idp.issuer, 'salary', { client_secret: CLIENT_SECRET });
    const pending = await rp.authorizationUrl({
      redirect_uri: callback.redirectUri,
      resource: SALARY_API,
      authorization_details: JSON.stringify(PAYOUT),
    });
    return { rp, pending };
  }

  test('the sign-in page and the app show the details; the app signs over them; the token carries them', async () => {
    const user = await idp.addUser('alice', PASSWORD);
    const laptop = await browser.newContext();
    const phone = await browser.newContext();
    try {
      const app = await phone.newPage();
      await app.goto(await pushEnrollmentLink(idp, user.id, Math.floor(Date.now() / 1000)));
      await app.fill('#device-name', "Alice's phone");
      await app.click('#enroll-form button');
      await app.waitForSelector('text=This device is added');

      const { rp, pending } = await authorize();
      const login = await laptop.newPage();
      await login.goto(pending.url.href);
      await login.fill('#username', 'alice');
      await login.fill('#password', PASSWORD);
      await login.click('button[type="submit"]');
      const number = await (await login.waitForSelector('.push-number', { timeout: 10_000 })).textContent();
      assert.equal(await login.textContent('[data-transaction]'), `You are approving: ${SUMMARY}`);

      const shown = await app.waitForSelector('[data-field="transaction"]:visible', { timeout: 10_000 });
      assert.equal(await shown.textContent(), `Approve: ${SUMMARY}`);
      const landed = await callback.follow(login, () => app.click(`.push-choice >> text="${number}"`));
      const tokens = await rp.redeem(landed, pending);
      assert.deepEqual(tokens.claims()?.authorization_details, PAYOUT);
      assert.deepEqual(tokens.authorization_details, PAYOUT);
    } finally {
      await laptop.close();
      await phone.close();
    }
  });

  test('an approval signed over other details is refused: the page keeps waiting for these', async () => {
    const user = await idp.addUser('bob', PASSWORD);
    const device = await enrollTestDevice(idp, user.id);
    const laptop = await browser.newContext();
    try {
      const { pending } = await authorize();
      const login = await laptop.newPage();
      await login.goto(pending.url.href);
      await login.fill('#username', 'bob');
      await login.fill('#password', PASSWORD);
      await login.click('button[type="submit"]');
      const number = Number(await (await login.waitForSelector('.push-number')).textContent());
      const [challenge] = await listPendingChallenges(device);
      assert.ok(challenge);
      const body = await signPushResponse(device, {
        challengeId: challenge.id,
        decision: 'approve',
        number,
        nonce: challenge.nonce,
        transactionDetails: [{ ...PAYOUT[0], iban: 'GB33 BUKB 2020 1555 5555 55' }],
      });
      const response = await fetch(`${idp.issuer}${pushResponsePath(challenge.id)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      assert.equal(response.status, 401);
      assert.equal(((await response.json()) as { error: string }).error, 'bad_signature');
      await login.reload();
      assert.equal(Number(await login.textContent('.push-number')), number, 'still waiting');
      assert.equal(await login.textContent('[data-transaction]'), `You are approving: ${SUMMARY}`);
    } finally {
      await laptop.close();
    }
  });

  test('a person with only TOTP is told to add the app or a security key', async () => {
    const user = await idp.addUser('carol', PASSWORD);
    await idp.importTotp(user.id, SECRET);
    const laptop = await browser.newContext();
    try {
      const { pending } = await authorize();
      const login = await laptop.newPage();
      await login.goto(pending.url.href);
      await login.fill('#username', 'carol');
      await login.fill('#password', PASSWORD);
      const landed = await callback.follow(login, () => login.click('button[type="submit"]'));
      assert.equal(landed.searchParams.get('error'), 'unmet_authentication_requirements');
      assert.equal(landed.searchParams.get('error_description'), NO_TRANSACTION_FACTOR);
    } finally {
      await laptop.close();
    }
  });
});
