import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { verifyPassword } from '../accounts/password-hashing.ts';
import { totpCodeAt } from '../factors/totp/totp.ts';
import { SQLITE_FILE_NAME } from '../store/sqlite/sqlite-store.ts';
import { resetLinksSentTo } from '../testing/outbox.ts';
import { TestBrowser } from '../testing/test-browser.ts';
import { startTestProvider, type TestProvider } from '../testing/test-provider.ts';
import { expectPage, submitPassword } from '../testing/test-relying-party.ts';
import { passwordFingerprint } from './password-fingerprint.ts';

const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'violet kettle across the dune';
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const TTL = 20 * 60;

describe('forgotten password', () => {
  let idp: TestProvider;
  let offset = 0;
  let users = 0;
  const clock = () => Math.floor(Date.now() / 1000) + offset;

  before(async () => {
    idp = await startTestProvider({ clock, passwords: { resetLinkTtlSeconds: TTL } });
  });
  after(() => idp.close());

  async function newUser(options: { totp?: boolean } = {}) {
    users += 1;
    const username = `reset-${users}`;
    const email = `${username}@example.com`;
    const user = await idp.addUser(username, PASSWORD, { email });
    if (options.totp) await idp.importTotp(user.id, SECRET);
    return { user, username, email };
  }

  /** Asks for a link as a browser would; resolves the answer and, once sent, the links in the outbox. */
  async function askForLink(login: string, headers: Record<string, string> = {}) {
    const browser = new TestBrowser(idp.issuer);
    const response = await browser.request('/account/password/forgot', { form: { login }, headers });
    const body = await response.text();
    await idp.stepup.accountMailSettled();
    return { response, body };
  }

  async function linkFor(email: string, username: string): Promise<string> {
    const before = resetLinksSentTo(idp.dataDir, email).length;
    const { response } = await askForLink(username);
    assert.equal(response.status, 200);
    const links = resetLinksSentTo(idp.dataDir, email);
    assert.equal(links.length, before + 1, 'one more link in the outbox');
    return links.at(-1) as string;
  }

  const tokenOf = (link: string) => new URL(link).searchParams.get('token') ?? '';

  async function submitReset(link: string, form: Record<string, string>) {
    const browser = new TestBrowser(idp.issuer);
    return browser.request('/account/password/reset', { form: { token: tokenOf(link), ...form } });
  }

  async function storedPasswordIs(userId: string, password: string): Promise<boolean> {
    const user = await idp.stepup.store.users.findById(userId);
    return verifyPassword(user?.passwordHash, password);
  }

  /** Signs in to the account page with a password; resolves the browser and whether it got in. */
  async function signIn(username: string, password: string) {
    const browser = new TestBrowser(idp.issuer);
    const login = expectPage(await browser.navigate('/account'));
    const page = expectPage(await submitPassword(browser, login.html, username, password));
    return { browser, signedIn: new URL(page.url).pathname === '/account' };
  }

  test('the answer is the same, byte for byte, whether or not an account matches', async () => {
    const { username, email } = await newUser();
    const known = await askForLink(username);
    const unknown = await askForLink('nobody-here@example.com');
    assert.equal(known.response.status, 200);
    assert.equal(unknown.response.status, known.response.status);
    assert.equal(unknown.body, known.body);
    assert.match(known.body, /data-reset-requested/);
    assert.equal(resetLinksSentTo(idp.dataDir, email).length, 1, 'only the real account gets a link');
    assert.deepEqual(resetLinksSentTo(idp.dataDir, 'nobody-here@example.com'), []);
  });

  test('the link sets a new password once; the old one stops working and other sessions end', async () => {
    const { user, username, email } = await newUser();
    const before = await signIn(username, PASSWORD);
    assert.equal(before.signedIn, true);
    const link = await linkFor(email, username);
    const stored = idp.stepup.store.passwordResetTokens;
    assert.ok(await stored.find(tokenOf(link), clock()), 'the link is stored');
    const file = join(idp.dataDir, SQLITE_FILE_NAME);
    const database = [file, `${file}-wal`]
      .filter((path) => existsSync(path))
      .map((path) => readFileSync(path).toString('latin1'))
      .join('\n');
    assert.ok(database.includes(passwordFingerprint(user.passwordHash)), 'the row is in the files searched');
    assert.equal(database.includes(tokenOf(link)), false, 'only its keyed hash is at rest');
    const form = await new TestBrowser(idp.issuer).request(new URL(link).pathname + new URL(link).search);
    assert.equal(form.status, 200);
    const html = await form.text();
    assert.match(html, /name="new_password"/);
    assert.doesNotMatch(html, /name="code"/, 'no second factor, no code asked');

    const done = await submitReset(link, { new_password: NEW_PASSWORD, confirm_password: NEW_PASSWORD });
    assert.equal(done.status, 200);
    assert.match(await done.text(), /data-reset-done/);
    assert.equal(await storedPasswordIs(user.id, NEW_PASSWORD), true);

    const reused = await submitReset(link, {
      new_password: 'another fine password',
      confirm_password: 'another fine password',
    });
    assert.equal(reused.status, 400, 'a link works once');
    assert.match(await reused.text(), /data-reset-link-invalid/);
    assert.equal(await storedPasswordIs(user.id, NEW_PASSWORD), true, 'the reused link changed nothing');

    const stale = expectPage(await before.browser.navigate('/account'));
    assert.match(stale.html, /name="password"/, 'the session from before the reset ended');
    assert.equal((await signIn(username, PASSWORD)).signedIn, false);
    assert.equal((await signIn(username, NEW_PASSWORD)).signedIn, true);

    const { events } = await idp.stepup.store.auditEvents.query(
      { userId: user.id, type: 'password.reset' },
      { limit: 5 },
    );
    assert.deepEqual(
      events.map((event) => [event.type, event.outcome, event.details.secondFactor]),
      [['password.reset', 'success', false]],
    );
    // The session of `before`: its provider session, its proofs and the code issued in it.
    assert.ok(Number(events[0]?.details.sessionsEnded) >= 2);
  });

  test('of 100 concurrent redemptions of one link, exactly one sets its password', async () => {
    const { user, username, email } = await newUser();
    const link = await linkFor(email, username);
    const passwords = Array.from({ length: 100 }, (_, index) => `violet kettle number ${index}`);
    const answers = await Promise.all(
      passwords.map((password) => submitReset(link, { new_password: password, confirm_password: password })),
    );
    const statuses = answers.map((answer) => answer.status);
    assert.equal(statuses.filter((status) => status === 200).length, 1);
    assert.equal(statuses.filter((status) => status === 400).length, 99);
    const winner = passwords[statuses.indexOf(200)] as string;
    assert.equal(await storedPasswordIs(user.id, winner), true);
  });

  test('an expired link neither shows the form nor sets a password', async () => {
    const { user, username, email } = await newUser();
    const link = await linkFor(email, username);
    offset += TTL;
    try {
      const shown = await new TestBrowser(idp.issuer).request(new URL(link).pathname + new URL(link).search);
      assert.equal(shown.status, 400);
      const sent = await submitReset(link, { new_password: NEW_PASSWORD, confirm_password: NEW_PASSWORD });
      assert.equal(sent.status, 400);
      assert.equal(await storedPasswordIs(user.id, PASSWORD), true);
    } finally {
      offset -= TTL;
    }
  });

  test('any later password change voids the link (here: an operator sets one)', async () => {
    const { user, username, email } = await newUser();
    const link = await linkFor(email, username);
    const { hashPassword } = await import('../accounts/password-hashing.ts');
    await idp.stepup.store.userManagement.setPassword(user.id, await hashPassword('operator chosen words'), {
      time: clock(),
      type: 'admin.user.password_reset',
      outcome: 'success',
      details: {},
    });
    const sent = await submitReset(link, { new_password: NEW_PASSWORD, confirm_password: NEW_PASSWORD });
    assert.equal(sent.status, 400);
    assert.match(await sent.text(), /data-reset-link-invalid/);
    assert.equal(await storedPasswordIs(user.id, 'operator chosen words'), true);
  });

  test('a common password is refused with a clear message, and the link still works', async () => {
    const { user, username, email } = await newUser();
    const link = await linkFor(email, username);
    const refused = await submitReset(link, { new_password: 'password', confirm_password: 'password' });
    assert.equal(refused.status, 400);
    assert.equal(refused.headers.get('stepup-error-code'), 'password_too_common');
    assert.match(await refused.text(), /list of common and leaked passwords/);
    assert.equal(await storedPasswordIs(user.id, PASSWORD), true);
    const done = await submitReset(link, { new_password: NEW_PASSWORD, confirm_password: NEW_PASSWORD });
    assert.equal(done.status, 200);
  });

  test('a person with a second factor gives a code before the new password is set', async () => {
    const { user, username, email } = await newUser({ totp: true });
    const link = await linkFor(email, username);
    const form = await new TestBrowser(idp.issuer).request(new URL(link).pathname + new URL(link).search);
    assert.match(await form.text(), /name="code"/);

    const missing = await submitReset(link, { new_password: NEW_PASSWORD, confirm_password: NEW_PASSWORD });
    assert.equal(missing.status, 401);
    assert.equal(missing.headers.get('stepup-error-code'), 'wrong_code');
    const wrong = await submitReset(link, {
      new_password: NEW_PASSWORD,
      confirm_password: NEW_PASSWORD,
      code: '000000',
    });
    assert.equal(wrong.status, 401);
    assert.equal(await storedPasswordIs(user.id, PASSWORD), true, 'nothing changes without the factor');

    offset += 30;
    const done = await submitReset(link, {
      new_password: NEW_PASSWORD,
      confirm_password: NEW_PASSWORD,
      code: totpCodeAt(SECRET, clock()),
    });
    assert.equal(done.status, 200);
    assert.equal(await storedPasswordIs(user.id, NEW_PASSWORD), true);
    // The reset gives no session: the next sign-in starts from the password, and MFA still needs the app.
    const next = await signIn(username, NEW_PASSWORD);
    assert.equal(next.signedIn, true);
    const page = expectPage(await next.browser.navigate('/account'));
    assert.match(page.html, /Verify it’s you/, 'a password alone does not reach the multi-factor level');
  });

  test('asking is throttled per account (whether or not it exists) and per client address', async () => {
    const { username } = await newUser();
    for (let sent = 0; sent < 3; sent += 1) assert.equal((await askForLink(username)).response.status, 200);
    const refused = await askForLink(username);
    assert.equal(refused.response.status, 429);
    assert.equal(refused.response.headers.get('stepup-error-code'), 'password_reset_throttled');
    assert.match(refused.body, /Too many requests/);

    for (let sent = 0; sent < 3; sent += 1)
      assert.equal((await askForLink('ghost-account')).response.status, 200);
    const ghost = await askForLink('ghost-account');
    assert.equal(ghost.response.status, 429, 'an unknown name is limited alike: a refusal tells nothing');
    assert.equal(ghost.body, refused.body);
  });
});

describe('forgotten password: the limit per client address', () => {
  let idp: TestProvider;
  before(async () => {
    idp = await startTestProvider({
      passwords: { resetRequestsPerIp: { limit: 2, windowSeconds: 900 } },
    });
  });
  after(() => idp.close());

  test('counts requests from one address across names', async () => {
    const ask = (login: string) =>
      new TestBrowser(idp.issuer).request('/account/password/forgot', { form: { login } });
    assert.equal((await ask('first-name')).status, 200);
    assert.equal((await ask('second-name')).status, 200);
    const refused = await ask('third-name');
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('stepup-error-code'), 'password_reset_throttled');
  });
});
