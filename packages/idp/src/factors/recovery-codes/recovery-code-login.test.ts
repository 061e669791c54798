import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ACR_MULTI_FACTOR } from '@stepup/core';
import pino from 'pino';
import { formAction, hiddenField, type TestBrowser } from '../../testing/test-browser.ts';
import { startTestProvider, type TestProvider } from '../../testing/test-provider.ts';
import {
  expectCallback,
  expectPage,
  submitPassword,
  TestRelyingParty,
} from '../../testing/test-relying-party.ts';
import { totpCodeAt } from '../totp/totp.ts';
import { RecoveryCodes } from './recovery-codes.ts';

const CLIENT_SECRET = 'recovery-client-secret-0123456789ab';
const PASSWORD = 'correct horse battery';
const TOTP_SECRET = 'KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU';
const CODE_ITEM = /<li><code>((?:[0-9A-Z]{4}-){5}[0-9A-Z]{4})<\/code><\/li>/g;
const now = () => Math.floor(Date.now() / 1000);

function chooseFactor(browser: TestBrowser, html: string, method: string) {
  return browser.navigate(formAction(html, '/choose'), { form: { csrf: hiddenField(html, 'csrf'), method } });
}

function submitRecoveryCode(browser: TestBrowser, html: string, code: string) {
  return browser.navigate(formAction(html, '/recovery-code'), {
    form: { csrf: hiddenField(html, 'csrf'), code },
  });
}

function post(browser: TestBrowser, html: string, suffix: string) {
  return browser.navigate(formAction(html, suffix), { form: { csrf: hiddenField(html, 'csrf') } });
}

describe('recovery codes in the login', () => {
  const logLines: string[] = [];
  const shownCodes: string[] = [];
  let idp: TestProvider;

  before(async () => {
    const logger = pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) });
    idp = await startTestProvider({ logger });
    await idp.addClient({ client_id: 'app', client_secret: CLIENT_SECRET, client_name: 'Salary' });
  });
  after(() => idp.close());

  const rpFor = () => TestRelyingParty.discover(idp.issuer, 'app', { client_secret: CLIENT_SECRET });

  /** A user with TOTP and a set of recovery codes issued directly. */
  async function userWithCodes(username: string) {
    const user = await idp.addUser(username, PASSWORD);
    await idp.importTotp(user.id, TOTP_SECRET);
    const codes = await new RecoveryCodes(idp.stepup.store.recoveryCodes).issue(user.id, now());
    return { user, codes };
  }

  /** Signs in with the password at the MFA level and switches to the recovery-code challenge. */
  async function atRecoveryChallenge(username: string, rp?: TestRelyingParty) {
    const app = rp ?? (await rpFor());
    const pending = await app.authorizationUrl({ acr_values: ACR_MULTI_FACTOR });
    const login = expectPage(await app.open(pending));
    const totp = expectPage(await submitPassword(app.browser, login.html, username, PASSWORD));
    assert.match(totp.html, /Enter your verification code/, 'TOTP, not the recovery code, is offered first');
    const page = expectPage(await chooseFactor(app.browser, totp.html, 'recovery-code'));
    assert.match(page.html, /Enter a recovery code/);
    return { rp: app, pending, page };
  }

  test('the codes shown after a first enrollment are a second factor that works once', async () => {
    const user = await idp.addUser('first-enrollment', PASSWORD);
    const rp = await rpFor();
    const pending = await rp.authorizationUrl({ acr_values: ACR_MULTI_FACTOR });
    const login = expectPage(await rp.open(pending));
    let enrollment = expectPage(await submitPassword(rp.browser, login.html, 'first-enrollment', PASSWORD));
    assert.doesNotMatch(enrollment.html, /value="recovery-code"/, 'never offered for enrollment');
    if (!enrollment.html.includes('/totp-enrollment')) {
      enrollment = expectPage(await chooseFactor(rp.browser, enrollment.html, 'totp'));
    }
    const secret = /otpauth:\/\/totp\/[^"]*secret=([A-Z2-7]+)/.exec(enrollment.html)?.[1] ?? '';
    const shown = expectPage(
      await rp.browser.navigate(formAction(enrollment.html, '/totp-enrollment'), {
        form: { csrf: hiddenField(enrollment.html, 'csrf'), code: totpCodeAt(secret, now()) },
      }),
    );
    const codes = [...shown.html.matchAll(CODE_ITEM)].map((match) => match[1] ?? '');
    assert.equal(codes.length, 10);
    assert.equal(new Set(codes).size, 10);
    shownCodes.push(...codes);
    assert.match(shown.html, /You won't see them again/);
    const again = expectPage(await rp.browser.navigate(shown.url));
    assert.deepEqual(
      [...again.html.matchAll(CODE_ITEM)].map((match) => match[1]),
      codes,
      'a reload shows the same set, not a new one',
    );
    const stored = JSON.stringify(await idp.stepup.store.recoveryCodes.summary(user.id));
    assert.ok(!codes.some((code) => stored.includes(code)));
    const enrolled = await rp.redeem(
      expectCallback(await post(rp.browser, again.html, '/recovery-codes/continue')),
      pending,
    );
    assert.equal(enrolled.claims()?.acr, ACR_MULTI_FACTOR);

    // Later, on another device, without the authenticator app.
    const first = codes[0] ?? '';
    const other = rp.inNewBrowser();
    const challenge = await atRecoveryChallenge('first-enrollment', other);
    const used = expectPage(
      await submitRecoveryCode(
        other.browser,
        challenge.page.html,
        ` ${first.toLowerCase().replace('-', ' ')} `,
      ),
    );
    assert.equal(used.page.status, 200);
    assert.match(used.html, /<strong>You have 9 recovery codes left\.<\/strong>/);
    const tokens = await other.redeem(
      expectCallback(await post(other.browser, used.html, '/recovery-codes/continue')),
      challenge.pending,
    );
    assert.equal(tokens.claims()?.acr, ACR_MULTI_FACTOR);
    assert.deepEqual(tokens.claims()?.amr, ['mfa', 'otp', 'pwd']);

    const replay = await atRecoveryChallenge('first-enrollment');
    const refused = expectPage(await submitRecoveryCode(replay.rp.browser, replay.page.html, first));
    assert.equal(refused.page.status, 401);
    assert.match(refused.html, /not valid, or it was already used/);
    assert.equal((await idp.stepup.store.recoveryCodes.summary(user.id))?.remaining, 9);
  });

  test('10 parallel uses of one code: exactly one gets through', async () => {
    const { user, codes } = await userWithCodes('parallel');
    // Ten logins waiting at the recovery-code page, reached one after another: ten passwords in the
    // same instant would meet the account's throttle, which counts each try before checking it.
    const logins: Awaited<ReturnType<typeof atRecoveryChallenge>>[] = [];
    for (let login = 0; login < 10; login++) logins.push(await atRecoveryChallenge('parallel'));
    const results = await Promise.all(
      logins.map(({ rp, page }) => submitRecoveryCode(rp.browser, page.html, codes[3] ?? '')),
    );
    const pages = results.map(expectPage);
    assert.deepEqual(
      pages.map(({ page }) => page.status).sort(),
      [200, 401, 401, 401, 401, 401, 401, 401, 401, 401],
    );
    assert.equal(pages.filter(({ html }) => html.includes('You have 9 recovery codes left.')).length, 1);
    assert.equal((await idp.stepup.store.recoveryCodes.summary(user.id))?.remaining, 9);
  });

  test('getting new codes after using one voids the old set and shows the new one once', async () => {
    const { user, codes: old } = await userWithCodes('regenerate');
    const { rp, pending, page } = await atRecoveryChallenge('regenerate');
    const used = expectPage(await submitRecoveryCode(rp.browser, page.html, old[0] ?? ''));
    const fresh = expectPage(await post(rp.browser, used.html, '/recovery-codes/new'));
    const codes = [...fresh.html.matchAll(CODE_ITEM)].map((match) => match[1] ?? '');
    assert.equal(codes.length, 10);
    assert.ok(!codes.some((code) => old.includes(code)));
    shownCodes.push(...codes);
    assert.match(fresh.html, /Your old recovery codes no longer work/);
    assert.deepEqual(await idp.stepup.store.recoveryCodes.summary(user.id), {
      total: 10,
      remaining: 10,
      issuedAt: (await idp.stepup.store.recoveryCodes.summary(user.id))?.issuedAt,
      lastUsedAt: null,
    });
    const tokens = await rp.redeem(
      expectCallback(await post(rp.browser, fresh.html, '/recovery-codes/continue')),
      pending,
    );
    assert.equal(tokens.claims()?.acr, ACR_MULTI_FACTOR);

    const next = await atRecoveryChallenge('regenerate');
    const stale = expectPage(await submitRecoveryCode(next.rp.browser, next.page.html, old[1] ?? ''));
    assert.equal(stale.page.status, 401, 'an unused code of the old set no longer works');
    const accepted = expectPage(await submitRecoveryCode(next.rp.browser, stale.html, codes[0] ?? ''));
    assert.match(accepted.html, /You have 9 recovery codes left\./);
  });

  test('the new-codes form works only right after a recovery code was used in that login', async () => {
    const { user } = await userWithCodes('no-shortcut');
    const { rp, page } = await atRecoveryChallenge('no-shortcut');
    const before = await idp.stepup.store.recoveryCodes.summary(user.id);
    const path = formAction(page.html, '/recovery-code').replace(/\/recovery-code$/, '/recovery-codes/new');
    const response = await rp.browser.request(path, { form: { csrf: hiddenField(page.html, 'csrf') } });
    assert.equal(response.status, 303);
    assert.deepEqual(await idp.stepup.store.recoveryCodes.summary(user.id), before, 'nothing regenerated');
  });

  test('issuing, using and regenerating codes are audit events that never carry a code', () => {
    const events = logLines.map((line) => JSON.parse(line)).filter((line) => line.component === 'auth');
    const issued = events.filter((line) => line.event === 'recovery_codes.issued');
    assert.deepEqual(
      issued.map(({ count, clientId }) => ({ count, clientId })),
      [{ count: 10, clientId: 'app' }],
    );
    assert.deepEqual(
      events.filter((line) => line.event === 'recovery_codes.regenerated').map(({ count }) => count),
      [10],
    );
    assert.deepEqual(
      events.filter((line) => line.event === 'recovery_code.used').map(({ remaining }) => remaining),
      [9, 9, 9, 9],
    );
    assert.equal(shownCodes.length, 20);
    for (const code of shownCodes) {
      assert.ok(!logLines.some((line) => line.includes(code) || line.includes(code.replace('-', ''))));
    }
  });
});
