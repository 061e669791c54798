import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  ACR_MULTI_FACTOR,
  ACR_PHISHING_RESISTANT,
  computeAuthContext,
  DEFAULT_ACR_LADDER,
} from '@stepup/core';
import pino from 'pino';
import { formAction, hiddenField, type TestBrowser } from '../../testing/test-browser.ts';
import { startTestProvider, type TestProvider } from '../../testing/test-provider.ts';
import {
  expectCallback,
  expectPage,
  submitPassword,
  TestRelyingParty,
} from '../../testing/test-relying-party.ts';

const CLIENT_SECRET = 'email-client-secret-0123456789abcdef';
const PASSWORD = 'correct horse battery';
const TOTP_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

/**
 * The codes in the messages the outbox holds for an address, oldest first. Throws when there is no
 * outbox (the provider makes it at start): a missing folder is a broken setup, not "no email".
 */
function codesSentTo(idp: TestProvider, address: string): string[] {
  const outbox = join(idp.dataDir, 'outbox');
  return readdirSync(outbox)
    .sort()
    .map((file) => readFileSync(join(outbox, file), 'utf8'))
    .filter((message) => new RegExp(`^To: ${address}$`, 'm').test(message))
    .map((message) => /^ {4}(\d{6})$/m.exec(message)?.[1] ?? 'no code in the message');
}

function submitEmailCode(browser: TestBrowser, html: string, code: string) {
  return browser.navigate(formAction(html, '/email-code'), {
    form: { csrf: hiddenField(html, 'csrf'), code },
  });
}

function sendNewCode(browser: TestBrowser, html: string) {
  return browser.navigate(formAction(html, '/email-code/send'), {
    form: { csrf: hiddenField(html, 'csrf') },
  });
}

async function startWithClient(email: Record<string, unknown>, logger?: pino.Logger, clock?: () => number) {
  const idp = await startTestProvider({ email, ...(logger ? { logger } : {}), ...(clock ? { clock } : {}) });
  await idp.addClient({ client_id: 'app', client_secret: CLIENT_SECRET, client_name: 'Salary' });
  return idp;
}

/** Signs in with the password, asking for `acr`; returns the page that follows. */
async function signIn(idp: TestProvider, username: string, acr = ACR_MULTI_FACTOR) {
  const rp = await TestRelyingParty.discover(idp.issuer, 'app', { client_secret: CLIENT_SECRET });
  const pending = await rp.authorizationUrl({ acr_values: acr });
  const login = expectPage(await rp.open(pending));
  return { rp, pending, next: await submitPassword(rp.browser, login.html, username, PASSWORD) };
}

describe('email one-time codes in the login', () => {
  const logLines: string[] = [];
  let idp: TestProvider;

  before(async () => {
    const logger = pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) });
    idp = await startWithClient({ sends: { limit: 3, windowSeconds: 900 } }, logger);
  });
  after(() => idp.close());

  test('a code sent by email is a second factor: multi-factor acr, and the log names the file, not the code', async () => {
    await idp.addUser('mailed', PASSWORD, { email: 'mailed@example.com' });
    const { rp, pending, next } = await signIn(idp, 'mailed');
    const page = expectPage(next);
    assert.match(page.html, /We sent a 6-digit code to <strong>m•••d@example\.com<\/strong>/);
    const [code] = codesSentTo(idp, 'mailed@example.com');
    assert.match(code ?? '', /^\d{6}$/);
    const tokens = await rp.redeem(
      expectCallback(await submitEmailCode(rp.browser, page.html, code ?? '')),
      pending,
    );
    assert.equal(tokens.claims()?.acr, ACR_MULTI_FACTOR);
    assert.deepEqual(tokens.claims()?.amr, ['mfa', 'otp', 'pwd']);

    const written = logLines
      .map((line) => JSON.parse(line))
      .filter((line) => line.msg === 'email written to the outbox');
    assert.equal(written.length, 1);
    assert.match(written[0].path, /\/outbox\/[^/]+\.eml$/);
    assert.ok(!logLines.some((line) => line.includes(code ?? '')), 'the code never reaches the log');
  });

  test('a used code is refused: in parallel within its login, and in a later login', async () => {
    await idp.addUser('reuse', PASSWORD, { email: 'reuse@example.com' });
    const first = await signIn(idp, 'reuse');
    const page = expectPage(first.next);
    const [code = ''] = codesSentTo(idp, 'reuse@example.com');
    const outcomes = await Promise.all([
      submitEmailCode(first.rp.browser, page.html, code),
      submitEmailCode(first.rp.browser, page.html, code),
    ]);
    assert.equal(
      outcomes.filter((outcome) => 'left' in outcome && outcome.left.searchParams.has('code')).length,
      1,
    );

    const second = await signIn(idp, 'reuse');
    const again = expectPage(second.next);
    assert.equal(codesSentTo(idp, 'reuse@example.com').length, 2, 'the new login sent its own code');
    const refused = expectPage(await submitEmailCode(second.rp.browser, again.html, code));
    assert.equal(refused.page.status, 401);
    assert.match(refused.html, /That code is not correct/);
  });

  test('codes sent per account are capped, across logins', async () => {
    await idp.addUser('capped', PASSWORD, { email: 'capped@example.com' });
    const { rp, next } = await signIn(idp, 'capped');
    let page = expectPage(next);
    page = expectPage(await sendNewCode(rp.browser, page.html));
    page = expectPage(await sendNewCode(rp.browser, page.html));
    assert.equal(page.page.status, 200);
    assert.equal(codesSentTo(idp, 'capped@example.com').length, 3);
    const capped = expectPage(await sendNewCode(rp.browser, page.html));
    assert.equal(capped.page.status, 429);
    assert.ok(Number(capped.page.headers.get('retry-after')) > 800);
    assert.match(capped.html, /sent too many codes/);

    const other = await signIn(idp, 'capped');
    assert.equal(expectPage(other.next).page.status, 429, 'a new login does not reset the cap');
    assert.equal(codesSentTo(idp, 'capped@example.com').length, 3);

    // The last code sent still works: the cap stops mail, not the person.
    const codes = codesSentTo(idp, 'capped@example.com');
    const callback = expectCallback(await submitEmailCode(rp.browser, capped.html, codes[2] ?? ''));
    assert.ok(callback.searchParams.has('code'));
  });

  test('email never reaches the phishing-resistant level: unmet, and no email is sent', async () => {
    const context = computeAuthContext(
      [
        { method: 'password', at: 1_700_000_000 },
        { method: 'email-otp', at: 1_700_000_000 },
      ],
      DEFAULT_ACR_LADDER,
      { now: 1_700_000_000 },
    );
    assert.equal(context?.acr, ACR_MULTI_FACTOR);

    await idp.addUser('phished', PASSWORD, { email: 'phished@example.com' });
    const { rp, next } = await signIn(idp, 'phished', ACR_PHISHING_RESISTANT);
    let callback: URL;
    if ('left' in next) {
      callback = next.left;
    } else {
      // Another factor may be offered for enrollment (a security key), but never email, and asking for
      // an email code anyway is sent back to the interaction.
      assert.doesNotMatch(next.html, /Check your email|value="email-otp"/);
      const interaction = formAction(next.html, '/cancel').replace(/\/cancel$/, '');
      const csrf = hiddenField(next.html, 'csrf');
      const send = await rp.browser.request(`${interaction}/email-code/send`, { form: { csrf } });
      assert.equal(send.status, 303);
      const submit = await rp.browser.request(`${interaction}/email-code`, {
        form: { csrf, code: '123456' },
      });
      assert.equal(submit.status, 303);
      callback = expectCallback(await rp.browser.navigate(`${interaction}/cancel`, { form: { csrf } }));
    }
    assert.equal(callback.searchParams.get('error'), 'unmet_authentication_requirements');
    assert.equal(callback.searchParams.get('code'), null);
    assert.deepEqual(codesSentTo(idp, 'phished@example.com'), []);
  });

  test('without an email address the person is not offered email codes', async () => {
    const user = await idp.addUser('no-address', PASSWORD);
    await idp.importTotp(user.id, TOTP_SECRET);
    const page = expectPage((await signIn(idp, 'no-address')).next);
    assert.match(page.html, /Enter your verification code/);
    assert.doesNotMatch(page.html, /value="email-otp"/);
  });

  test('an unverified address is no second factor: enrollment is offered, no email is sent', async () => {
    await idp.addUser('unverified', PASSWORD, { email: 'unverified@example.com', emailVerified: false });
    const page = expectPage((await signIn(idp, 'unverified')).next);
    assert.doesNotMatch(page.html, /value="email-otp"/);
    assert.doesNotMatch(page.html, /Check your email/);
    assert.deepEqual(codesSentTo(idp, 'unverified@example.com'), []);
  });

  test('with TOTP enrolled, email is another way, sent only when chosen', async () => {
    const user = await idp.addUser('both', PASSWORD, { email: 'both@example.com' });
    await idp.importTotp(user.id, TOTP_SECRET);
    const { rp, pending, next } = await signIn(idp, 'both');
    const totp = expectPage(next);
    assert.match(totp.html, /Enter your verification code/);
    assert.deepEqual(codesSentTo(idp, 'both@example.com'), []);
    const page = expectPage(
      await rp.browser.navigate(formAction(totp.html, '/choose'), {
        form: { csrf: hiddenField(totp.html, 'csrf'), method: 'email-otp' },
      }),
    );
    const reloaded = expectPage(await rp.browser.navigate(page.url));
    const codes = codesSentTo(idp, 'both@example.com');
    assert.equal(codes.length, 1, 'a reload does not send another code');
    const tokens = await rp.redeem(
      expectCallback(await submitEmailCode(rp.browser, reloaded.html, codes[0] ?? '')),
      pending,
    );
    assert.equal(tokens.claims()?.acr, ACR_MULTI_FACTOR);
  });
});

describe('email codes expire', () => {
  let idp: TestProvider;
  // The provider's clock, moved forward by the test instead of sleeping through the code's lifetime.
  let skew = 0;
  before(async () => {
    idp = await startWithClient(
      { codeTtlSeconds: 60 },
      undefined,
      () => Math.floor(Date.now() / 1000) + skew,
    );
  });
  after(() => idp.close());

  test('an expired code is refused; a new one works', async () => {
    await idp.addUser('late', PASSWORD, { email: 'late@example.com' });
    const { rp, pending, next } = await signIn(idp, 'late');
    const page = expectPage(next);
    const [stale = ''] = codesSentTo(idp, 'late@example.com');
    skew += 61;
    const refused = expectPage(await submitEmailCode(rp.browser, page.html, stale));
    assert.equal(refused.page.status, 401);
    assert.match(refused.html, /That code has expired/);

    const resent = expectPage(await sendNewCode(rp.browser, refused.html));
    const codes = codesSentTo(idp, 'late@example.com');
    assert.equal(codes.length, 2);
    const tokens = await rp.redeem(
      expectCallback(await submitEmailCode(rp.browser, resent.html, codes[1] ?? '')),
      pending,
    );
    assert.equal(tokens.claims()?.acr, ACR_MULTI_FACTOR);
  });
});

describe('email codes disabled', () => {
  let idp: TestProvider;
  before(async () => {
    idp = await startWithClient({ enabled: false });
  });
  after(() => idp.close());

  test('are never offered, and their routes refuse', async () => {
    const withTotp = await idp.addUser('disabled-both', PASSWORD, { email: 'both@example.com' });
    await idp.importTotp(withTotp.id, TOTP_SECRET);
    const { rp, next } = await signIn(idp, 'disabled-both');
    const challenge = expectPage(next);
    assert.match(challenge.html, /Enter your verification code/);
    assert.doesNotMatch(challenge.html, /value="email-otp"/);
    const interactionPath = new URL(formAction(challenge.html, '/totp').replace(/\/totp$/, ''), idp.issuer)
      .pathname;
    // The routes stay registered (an operator may switch email codes on at runtime) and send the
    // browser back to the interaction page without taking the code.
    for (const route of ['/email-code', '/email-code/send']) {
      const direct = await rp.browser.request(`${interactionPath}${route}`, {
        form: { csrf: hiddenField(challenge.html, 'csrf'), code: '123456' },
      });
      assert.deepEqual([direct.status, direct.headers.get('location')], [303, interactionPath]);
    }
    assert.equal(existsSync(join(idp.dataDir, 'outbox')), false, 'email off: no outbox, nothing written');

    // A verified address still counts as a factor while email codes are off: no password-only
    // enrollment of another one; the step-up ends unmet with the reason.
    await idp.addUser('disabled-only', PASSWORD, { email: 'only@example.com' });
    const callback = expectCallback((await signIn(idp, 'disabled-only')).next);
    assert.equal(callback.searchParams.get('error'), 'unmet_authentication_requirements');
    assert.match(String(callback.searchParams.get('error_description')), /switched off by the operator/);
    assert.equal(existsSync(join(idp.dataDir, 'outbox')), false);
  });
});
