import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { totpCodeAt } from '../factors/totp/totp.ts';
import { WEBAUTHN_ERROR_HEADER } from '../factors/webauthn/refuse-webauthn-response.ts';
import { WEBAUTHN_CHALLENGE_TTL_SECONDS } from '../factors/webauthn/webauthn-relying-party.ts';
import { recordingLogger } from '../testing/push-login.ts';
import { SoftwareAuthenticator } from '../testing/software-authenticator.ts';
import { hiddenField, TestBrowser } from '../testing/test-browser.ts';
import { startTestProvider, type TestProvider } from '../testing/test-provider.ts';
import { expectPage, submitPassword, submitTotp } from '../testing/test-relying-party.ts';

const PASSWORD = 'correct horse battery';
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const RP_ID = 'localhost';

describe('adding a security key or passkey on the account page (HTTP)', () => {
  let idp: TestProvider;
  let offset = 0;
  let users = 0;
  const clock = () => Math.floor(Date.now() / 1000) + offset;
  const { logger, events } = recordingLogger();

  before(async () => {
    // A step-up that outlives a WebAuthn challenge, so an expired challenge can be told apart.
    idp = await startTestProvider({ clock, logger, account: { stepUpMaxAgeSeconds: 900 } });
  });
  after(() => idp.close());

  async function newUser() {
    users += 1;
    const user = await idp.addUser(`account-key-${users}`, PASSWORD);
    await idp.importTotp(user.id, SECRET);
    return user;
  }

  async function signIn(username: string) {
    const browser = new TestBrowser(idp.issuer);
    const login = expectPage(await browser.navigate('/account'));
    const page = expectPage(await submitPassword(browser, login.html, username, PASSWORD));
    assert.equal(new URL(page.url).pathname, '/account');
    return { browser, csrf: hiddenField(page.html, 'csrf') };
  }

  async function signInVerified(username: string) {
    const { browser, csrf } = await signIn(username);
    const challenge = expectPage(await browser.navigate('/account/verify', { form: { csrf } }));
    offset += 30;
    const verified = expectPage(await submitTotp(browser, challenge.html, totpCodeAt(SECRET, clock())));
    assert.equal(new URL(verified.url).search, '?notice=verified');
    return { browser, csrf };
  }

  async function fetchOptions(browser: TestBrowser, csrf: string) {
    const response = await browser.request('/account/webauthn/options', { form: { csrf } });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  /** Options from the account page, answered by `key` as a browser on `origin` would. */
  async function answer(
    browser: TestBrowser,
    csrf: string,
    key: SoftwareAuthenticator,
    origin = idp.issuer,
  ): Promise<string> {
    const { status, body } = await fetchOptions(browser, csrf);
    assert.equal(status, 200);
    return JSON.stringify(key.register({ challenge: String(body.challenge), origin, rpId: RP_ID }));
  }

  function submit(browser: TestBrowser, csrf: string, response: string, name = '') {
    return browser.request('/account/webauthn', { form: { csrf, response, name } });
  }

  const credentialsOf = (userId: string) => idp.stepup.store.webauthnCredentials.listForUser(userId);

  test('after a step-up: options for this person, the key is stored with its name and listed', async () => {
    const user = await newUser();
    const { browser, csrf } = await signInVerified(user.username);
    const setup = expectPage(await browser.navigate('/account/webauthn/new', { form: { csrf } }));
    assert.match(setup.html, /data-options-url="\/account\/webauthn\/options"/);
    assert.match(setup.html, /<script src="\/assets\/webauthn.js" defer>/);

    const { status, body } = await fetchOptions(browser, csrf);
    assert.equal(status, 200);
    assert.deepEqual(body.rp, { name: 'Stepup', id: RP_ID });
    assert.equal((body.user as { name: string }).name, user.username);
    assert.deepEqual(body.excludeCredentials, []);

    const key = new SoftwareAuthenticator();
    const response = JSON.stringify(
      key.register({ challenge: String(body.challenge), origin: idp.issuer, rpId: RP_ID }),
    );
    const added = expectPage(
      await browser.navigate('/account/webauthn', { form: { csrf, response, name: ' Blue key ' } }),
    );
    // The person had no recovery codes: the first set is shown once, as after any first strong factor.
    assert.match(added.html, /Save your recovery codes/);
    const [credential, ...more] = await credentialsOf(user.id);
    assert.deepEqual(more, []);
    assert.deepEqual(
      [credential?.id, credential?.name, credential?.attachment, credential?.counter],
      [key.credentialId, 'Blue key', null, 0],
    );
    const page = expectPage(await browser.navigate('/account'));
    assert.match(page.html, /<strong>Blue key<\/strong>/);
    assert.match(page.html, /Security key or passkey · Added/);
    assert.ok(
      events.some(
        (event) =>
          event.event === 'factor.enrolled' &&
          event.userId === user.id &&
          event.factor === 'security-key' &&
          event.clientId === 'stepup-account',
      ),
    );

    // The same key again is excluded in the options, and refused if offered anyway.
    const again = await fetchOptions(browser, csrf);
    assert.deepEqual(again.body.excludeCredentials, [
      { id: key.credentialId, type: 'public-key', transports: ['usb'] },
    ]);
    const twice = await submit(browser, csrf, await answer(browser, csrf, key));
    assert.equal(twice.status, 400);
    assert.equal(twice.headers.get(WEBAUTHN_ERROR_HEADER), 'credential_already_registered');
    assert.equal((await credentialsOf(user.id)).length, 1);
  });

  test('without a recent second factor: no options, no registration, sent to verify', async () => {
    const user = await newUser();
    const { browser, csrf } = await signIn(user.username);
    assert.deepEqual(await fetchOptions(browser, csrf), { status: 403, body: { error: 'step_up_required' } });
    const notYet = await browser.request('/account/webauthn/new', { form: { csrf } });
    assert.equal(notYet.status, 303);

    // Verified, options issued and answered; then the step-up grows old before the answer is sent.
    const verified = await signInVerified(user.username);
    const response = await answer(verified.browser, verified.csrf, new SoftwareAuthenticator());
    offset += 901;
    const stale = await submit(verified.browser, verified.csrf, response);
    assert.equal(stale.status, 303);
    const location = new URL(stale.headers.get('location') ?? '', idp.issuer);
    assert.equal(location.pathname, '/authorize');
    assert.equal(location.searchParams.get('max_age'), '900');
    assert.deepEqual(await credentialsOf(user.id), []);
    assert.ok(
      events.some(
        (event) =>
          event.event === 'account.change_refused' &&
          event.userId === user.id &&
          event.reason === 'stale_step_up',
      ),
    );
  });

  test('refused and nothing stored: no form token, signed out, another origin, another RP ID', async () => {
    const user = await newUser();
    const { browser, csrf } = await signInVerified(user.username);
    const key = new SoftwareAuthenticator();

    assert.deepEqual(await fetchOptions(browser, 'forged'), { status: 403, body: { error: 'invalid_csrf' } });
    assert.deepEqual(await fetchOptions(new TestBrowser(idp.issuer), 'forged'), {
      status: 401,
      body: { error: 'login_required' },
    });
    const noToken = await browser.request('/account/webauthn', {
      form: { response: await answer(browser, csrf, key) },
    });
    assert.equal(noToken.status, 403);

    const lookAlike = await submit(browser, csrf, await answer(browser, csrf, key, 'http://localhost:9'));
    assert.equal(lookAlike.status, 400);
    assert.equal(lookAlike.headers.get(WEBAUTHN_ERROR_HEADER), 'origin_mismatch');
    assert.match(await lookAlike.text(), /made for another website/);

    const { body } = await fetchOptions(browser, csrf);
    const otherRp = JSON.stringify(
      key.register({ challenge: String(body.challenge), origin: idp.issuer, rpId: 'example.com' }),
    );
    const wrongRp = await submit(browser, csrf, otherRp);
    assert.equal(wrongRp.headers.get(WEBAUTHN_ERROR_HEADER), 'rp_id_mismatch');

    const badName = await submit(browser, csrf, await answer(browser, csrf, key), 'x'.repeat(65));
    assert.equal(badName.status, 400);
    assert.equal(badName.headers.get(WEBAUTHN_ERROR_HEADER), null);
    assert.deepEqual(await credentialsOf(user.id), []);
    assert.ok(
      events.some(
        (event) =>
          event.event === 'webauthn.rejected' &&
          event.reason === 'origin_mismatch' &&
          event.ceremony === 'registration' &&
          event.userId === user.id,
      ),
    );
  });

  test('challenges are single use, expire, and answer only the session that asked for them', async () => {
    const user = await newUser();
    const { browser, csrf } = await signInVerified(user.username);
    const key = new SoftwareAuthenticator();

    // Stale: an answer to an earlier challenge, after the page asked for a newer one.
    const earlier = await answer(browser, csrf, key);
    const newer = await answer(browser, csrf, key);
    const stale = await submit(browser, csrf, earlier);
    assert.equal(stale.headers.get(WEBAUTHN_ERROR_HEADER), 'challenge_mismatch');
    // Used: the refused attempt used the challenge up; the valid answer to it comes too late.
    const used = await submit(browser, csrf, newer);
    assert.equal(used.headers.get(WEBAUTHN_ERROR_HEADER), 'challenge_not_found');

    // Expired: answered after the challenge's lifetime, while the step-up is still fresh.
    const slow = await answer(browser, csrf, key);
    offset += WEBAUTHN_CHALLENGE_TTL_SECONDS;
    const expired = await submit(browser, csrf, slow);
    assert.equal(expired.headers.get(WEBAUTHN_ERROR_HEADER), 'challenge_not_found');

    // Another session of the same person cannot answer this session's challenge.
    const other = await signInVerified(user.username);
    const foreign = await submit(other.browser, other.csrf, await answer(browser, csrf, key));
    assert.equal(foreign.headers.get(WEBAUTHN_ERROR_HEADER), 'challenge_not_found');
    assert.deepEqual(await credentialsOf(user.id), []);

    // The page still works: a fresh challenge, answered once.
    const added = await submit(browser, csrf, await answer(browser, csrf, key));
    assert.equal(added.status, 200, 'the first set of recovery codes');
    assert.deepEqual(
      (await credentialsOf(user.id)).map((credential) => credential.id),
      [key.credentialId],
    );
  });
});
