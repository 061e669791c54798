import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { verifyPassword } from '../accounts/password-hashing.ts';
import { totpCodeAt } from '../factors/totp/totp.ts';
import { outboxMessagesTo } from '../testing/outbox.ts';
import { hiddenField, TestBrowser } from '../testing/test-browser.ts';
import { startTestProvider, type TestProvider } from '../testing/test-provider.ts';
import { expectPage, submitPassword, submitTotp } from '../testing/test-relying-party.ts';

const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'violet kettle across the dune';
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

describe('changing the password on the account page', () => {
  let idp: TestProvider;
  let offset = 0;
  let users = 0;
  const clock = () => Math.floor(Date.now() / 1000) + offset;

  before(async () => {
    idp = await startTestProvider({ clock, account: { stepUpMaxAgeSeconds: 300 } });
  });
  after(() => idp.close());

  async function newUser(options: { totp: boolean }) {
    users += 1;
    const username = `changer-${users}`;
    const email = `${username}@example.com`;
    // Unverified: the address gets the notice but is no second factor.
    const user = await idp.addUser(username, PASSWORD, { email, emailVerified: false });
    if (options.totp) await idp.importTotp(user.id, SECRET);
    return { user, username, email };
  }

  async function signIn(username: string, password = PASSWORD) {
    const browser = new TestBrowser(idp.issuer);
    const login = expectPage(await browser.navigate('/account'));
    const page = expectPage(await submitPassword(browser, login.html, username, password));
    return { browser, page, signedIn: new URL(page.url).pathname === '/account' };
  }

  async function signInVerified(username: string) {
    const { browser, page } = await signIn(username);
    const challenge = expectPage(
      await browser.navigate('/account/verify', { form: { csrf: hiddenField(page.html, 'csrf') } }),
    );
    offset += 30;
    const verified = expectPage(await submitTotp(browser, challenge.html, totpCodeAt(SECRET, clock())));
    assert.match(verified.html, /data-password-form/);
    return { browser, csrf: hiddenField(verified.html, 'csrf') };
  }

  const change = (browser: TestBrowser, csrf: string, current: string, next: string, confirm = next) =>
    browser.request('/account/password', {
      form: { csrf, current_password: current, new_password: next, confirm_password: confirm },
    });

  async function storedPasswordIs(userId: string, password: string) {
    return verifyPassword((await idp.stepup.store.users.findById(userId))?.passwordHash, password);
  }

  test('refusals say why on the page and change nothing', async () => {
    const { user, username } = await newUser({ totp: true });
    const { browser, csrf } = await signInVerified(username);
    const cases: [string, string, string, number, string, RegExp][] = [
      [
        'a wrong current password',
        'not it at all',
        NEW_PASSWORD,
        400,
        'wrong_password',
        /current password is not correct/,
      ],
      [
        'a blocklisted password',
        PASSWORD,
        'password',
        400,
        'password_too_common',
        /list of common and leaked passwords/,
      ],
      ['the username', PASSWORD, username, 400, 'password_matches_account', /username or email address/],
      ['too short', PASSWORD, 'short', 400, 'password_too_short', /at least 8 characters/],
    ];
    for (const [what, current, next, status, code, message] of cases) {
      const refused = await change(browser, csrf, current, next);
      assert.equal(refused.status, status, what);
      assert.equal(refused.headers.get('stepup-error-code'), code, what);
      assert.match(await refused.text(), message, what);
    }
    const mismatch = await change(browser, csrf, PASSWORD, NEW_PASSWORD, `${NEW_PASSWORD}!`);
    assert.equal(mismatch.headers.get('stepup-error-code'), 'password_mismatch');
    assert.equal(await storedPasswordIs(user.id, PASSWORD), true);
  });

  test('a person with a second factor must have verified with it recently', async () => {
    const { user, username } = await newUser({ totp: true });
    const { browser, page } = await signIn(username);
    assert.match(page.html, /data-password-locked/, 'no form before the step-up');
    const refused = await change(browser, hiddenField(page.html, 'csrf'), PASSWORD, NEW_PASSWORD);
    assert.equal(refused.status, 303);
    assert.match(refused.headers.get('location') ?? '', /acr_values=/, 'sent to verify first');
    assert.equal(await storedPasswordIs(user.id, PASSWORD), true);
  });

  test('a forged form token changes nothing', async () => {
    const { user, username } = await newUser({ totp: true });
    const { browser } = await signInVerified(username);
    const refused = await change(browser, 'forged', PASSWORD, NEW_PASSWORD);
    assert.equal(refused.status, 403);
    assert.equal(await storedPasswordIs(user.id, PASSWORD), true);
  });

  test('a change ends the other sessions, keeps this one, is audited and emailed', async () => {
    const { user, username, email } = await newUser({ totp: true });
    const other = await signIn(username);
    assert.equal(other.signedIn, true);
    const { browser, csrf } = await signInVerified(username);
    const changed = await change(browser, csrf, PASSWORD, NEW_PASSWORD);
    assert.equal(changed.status, 303);
    assert.equal(changed.headers.get('location'), '/account?notice=password-changed');
    assert.equal(await storedPasswordIs(user.id, NEW_PASSWORD), true);

    const here = expectPage(await browser.navigate('/account?notice=password-changed'));
    assert.equal(new URL(here.url).pathname, '/account', 'this session goes on');
    assert.match(here.html, /Your password was changed/);
    const there = expectPage(await other.browser.navigate('/account'));
    assert.match(there.html, /name="password"/, 'the other session ended');

    assert.equal((await signIn(username, PASSWORD)).signedIn, false);
    assert.equal((await signIn(username, NEW_PASSWORD)).signedIn, true);

    const { events } = await idp.stepup.store.auditEvents.query(
      { userId: user.id, type: 'password.changed' },
      { limit: 5 },
    );
    assert.equal(events.length, 1);
    await idp.stepup.accountMailSettled();
    const mail = outboxMessagesTo(idp.dataDir, email);
    assert.equal(mail.length, 1);
    assert.match(mail[0] ?? '', /was changed on your account page/);
    const epoch = (await idp.stepup.store.users.findById(user.id))?.rememberedBrowsersEpoch;
    assert.equal(epoch, 1, 'remembered browsers are forgotten');
  });

  test('a person without a second factor changes it with the current password alone', async () => {
    const { user, username } = await newUser({ totp: false });
    const { page } = await signIn(username);
    assert.match(page.html, /data-password-form/);
    const { browser } = await signIn(username);
    const csrf = hiddenField(expectPage(await browser.navigate('/account')).html, 'csrf');
    const changed = await change(browser, csrf, PASSWORD, NEW_PASSWORD);
    assert.equal(changed.status, 303);
    assert.equal(await storedPasswordIs(user.id, NEW_PASSWORD), true);
  });
});
