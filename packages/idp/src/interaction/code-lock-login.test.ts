import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { listPendingChallenges } from '../authenticator/list-pending-challenges.ts';
import { respondToChallenge } from '../authenticator/respond-to-challenge.ts';
import { totpCodeAt } from '../factors/totp/totp.ts';
import { enrollTestDevice, loginToSecondFactor, readPushPage } from '../testing/push-login.ts';
import { formAction, hiddenField } from '../testing/test-browser.ts';
import { startTestProvider, type TestProvider } from '../testing/test-provider.ts';
import { expectCallback, expectPage, submitTotp, TestRelyingParty } from '../testing/test-relying-party.ts';
import { CodeThrottle } from '../throttle/code-throttle.ts';
import { THROTTLE_CODE_HEADER } from './answer-throttle-refusal.ts';

const CLIENT_SECRET = 'code-lock-client-secret-0123456789ab';
const PASSWORD = 'correct horse battery';
const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const LOCK = 3;
const now = () => Math.floor(Date.now() / 1000);

/**
 * NIST SP 800-63B 5.2.2 through the real login: consecutive wrong codes across logins lock codes for
 * the account; push (and security keys) still let the owner in, and that success lifts the lock.
 */
describe('the second-factor code lock', () => {
  let idp: TestProvider;
  before(async () => {
    idp = await startTestProvider({
      throttling: {
        codeTriesPerLogin: 20,
        secondFactor: { limit: 1000, freeFailures: LOCK, lockFailures: LOCK },
      },
    });
    await idp.addClient({ client_id: 'app', client_secret: CLIENT_SECRET, client_name: 'Salary' });
  });
  after(() => idp.close());

  test('wrong codes lock codes, even the right one; push still signs in and lifts the lock', async () => {
    const user = await idp.addUser('guessed', PASSWORD);
    await idp.importTotp(user.id, TOTP_SECRET);
    const device = await enrollTestDevice(idp, user.id);
    const rp = await TestRelyingParty.discover(idp.issuer, 'app', { client_secret: CLIENT_SECRET });
    const { page: pushPage } = await loginToSecondFactor(rp, 'guessed', PASSWORD);
    let page = expectPage(
      await rp.browser.navigate(formAction(pushPage.html, '/choose'), {
        form: { csrf: hiddenField(pushPage.html, 'csrf'), method: 'totp' },
      }),
    );
    const statuses: string[] = [];
    for (let i = 0; i < LOCK; i += 1) {
      page = expectPage(await submitTotp(rp.browser, page.html, '000000'));
      statuses.push(String(page.page.status));
    }
    page = expectPage(await submitTotp(rp.browser, page.html, totpCodeAt(TOTP_SECRET, now())));
    statuses.push(`${page.page.status} ${page.page.headers.get(THROTTLE_CODE_HEADER)}`);
    assert.deepEqual(statuses, ['401', '401', '401', '429 codes_locked']);
    assert.equal(page.page.headers.get('retry-after'), null, 'a lock does not end by itself');

    const codes = new CodeThrottle(idp.stepup.store, idp.stepup.config);
    assert.deepEqual(await codes.status(user.id, now()), { failures: LOCK, locked: true });

    const earlier = new Set((await listPendingChallenges(device)).map((pending) => pending.id));
    const owner = rp.inNewBrowser();
    const { pending, page: ownerPage } = await loginToSecondFactor(owner, 'guessed', PASSWORD);
    const push = readPushPage(ownerPage);
    const challenge = (await listPendingChallenges(device)).find((pending) => !earlier.has(pending.id));
    assert.ok(challenge);
    await respondToChallenge(device, challenge.id, { decision: 'approve', number: push.number });
    const tokens = await owner.redeem(expectCallback(await owner.browser.navigate(push.nextUrl)), pending);
    assert.deepEqual(tokens.claims()?.amr, ['mfa', 'pwd', 'swk']);
    assert.deepEqual(await codes.status(user.id, now()), { failures: 0, locked: false });
  });
});
