import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { enrollDevice } from '../authenticator/enroll-device.ts';
import { totpCodeAt } from '../factors/totp/totp.ts';
import { applyLiveSettings } from '../live-config/live-settings.ts';
import { recordingLogger } from '../testing/push-login.ts';
import { formAction, hiddenField, TestBrowser } from '../testing/test-browser.ts';
import { startTestProvider, type TestProvider } from '../testing/test-provider.ts';
import { expectPage, submitPassword, submitTotp } from '../testing/test-relying-party.ts';

const PASSWORD = 'correct horse battery';
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

describe('the account page', () => {
  let idp: TestProvider;
  let offset = 0;
  let users = 0;
  const clock = () => Math.floor(Date.now() / 1000) + offset;
  const { logger, events } = recordingLogger();

  before(async () => {
    idp = await startTestProvider({ clock, logger, account: { stepUpMaxAgeSeconds: 300 } });
  });
  after(() => idp.close());

  async function newUser() {
    users += 1;
    const user = await idp.addUser(`account-${users}`, PASSWORD);
    await idp.importTotp(user.id, SECRET);
    const [factor] = await idp.stepup.store.factors.listForUser(user.id);
    assert.ok(factor);
    return { user, factorId: factor.id };
  }

  /** Each code is used once: time moves a step before every one. */
  const nextTotp = (secret = SECRET) => {
    offset += 30;
    return totpCodeAt(secret, clock());
  };

  /** Signs in to the account page with the password alone; returns the browser and the page. */
  async function signIn(username: string) {
    const browser = new TestBrowser(idp.issuer);
    const login = expectPage(await browser.navigate('/account'));
    assert.match(login.html, /name="password"/, 'the account page asks to sign in first');
    const page = expectPage(await submitPassword(browser, login.html, username, PASSWORD));
    assert.equal(new URL(page.url).pathname, '/account');
    return { browser, page };
  }

  /** Signs in, then verifies with TOTP: the page allows changes. */
  async function signInVerified(username: string) {
    const { browser, page } = await signIn(username);
    assert.match(page.html, /Verify it’s you/);
    assert.doesNotMatch(page.html, /factors\/rename/, 'no changes before the step-up');
    const challenge = expectPage(
      await browser.navigate('/account/verify', { form: { csrf: hiddenField(page.html, 'csrf') } }),
    );
    assert.match(challenge.html, /name="code"/, 'the step-up asks for the second factor');
    const verified = expectPage(await submitTotp(browser, challenge.html, nextTotp()));
    assert.equal(new URL(verified.url).search, '?notice=verified');
    assert.match(verified.html, /factors\/rename/);
    return { browser, page: verified, csrf: hiddenField(verified.html, 'csrf') };
  }

  test('lists the factors with their names and last use; viewing needs only a sign-in', async () => {
    const { user } = await newUser();
    const { page } = await signIn(user.username);
    assert.match(page.html, /<strong>test<\/strong>/);
    assert.match(page.html, /Authenticator app · Added .* · Never used/);
    assert.match(page.html, /data-recovery-codes>You have none\./);
  });

  test('rename after a step-up; the change is logged', async () => {
    const { user, factorId } = await newUser();
    const { browser, csrf } = await signInVerified(user.username);
    const renamed = await browser.request('/account/factors/rename', {
      form: { csrf, factor: `totp:${factorId}`, name: '  Work phone  ' },
    });
    assert.equal(renamed.status, 303);
    assert.equal(renamed.headers.get('location'), '/account?notice=renamed');
    assert.equal((await idp.stepup.store.factors.findById(factorId))?.name, 'Work phone');
    assert.ok(
      events.some(
        (event) =>
          event.event === 'factor.renamed' && event.userId === user.id && event.factorId === factorId,
      ),
    );
  });

  test('refusals change nothing: no CSRF token, a bad name, another person’s factor', async () => {
    const { user, factorId } = await newUser();
    const other = await newUser();
    const { browser, csrf } = await signInVerified(user.username);

    const noToken = await browser.request('/account/factors/rename', {
      form: { factor: `totp:${factorId}`, name: 'Hacked' },
    });
    assert.equal(noToken.status, 403);
    const wrongToken = await browser.request('/account/factors/remove', {
      form: { csrf: `${csrf.slice(0, -2)}xx`, factor: `totp:${factorId}` },
    });
    assert.equal(wrongToken.status, 403);
    const badName = await browser.request('/account/factors/rename', {
      form: { csrf, factor: `totp:${factorId}`, name: '   ' },
    });
    assert.equal(badName.headers.get('location'), '/account?notice=bad-name');
    assert.equal((await idp.stepup.store.factors.findById(factorId))?.name, 'test');

    for (const path of ['/account/factors/rename', '/account/factors/remove']) {
      const foreign = await browser.request(path, {
        form: { csrf, factor: `totp:${other.factorId}`, name: 'Mine now' },
      });
      assert.equal(foreign.status, 404, path);
    }
    const unknown = await browser.request('/account/factors/remove', {
      form: { csrf, factor: 'push:00000000-0000-4000-8000-000000000000' },
    });
    assert.equal(unknown.status, 404);
    assert.equal((await idp.stepup.store.factors.findById(other.factorId))?.name, 'test');
    assert.equal((await idp.stepup.store.factors.listForUser(other.user.id)).length, 1);
    assert.ok(events.some((event) => event.event === 'account.change_refused' && event.reason === 'csrf'));
  });

  test('a stale step-up is asked again and nothing changes', async () => {
    const { user, factorId } = await newUser();
    const { browser, csrf } = await signInVerified(user.username);
    offset += 301;
    const stale = await browser.request('/account/factors/rename', {
      form: { csrf, factor: `totp:${factorId}`, name: 'Too late' },
    });
    assert.equal(stale.status, 303);
    const location = new URL(stale.headers.get('location') ?? '', idp.issuer);
    assert.equal(location.pathname, '/authorize');
    assert.equal(location.searchParams.get('client_id'), 'stepup-account');
    assert.equal(location.searchParams.get('max_age'), '300');
    assert.equal(
      location.searchParams.get('acr_values'),
      'http://schemas.openid.net/pape/policies/2007/06/multi-factor',
    );
    assert.equal((await idp.stepup.store.factors.findById(factorId))?.name, 'test');
    // Following it: the password (older than five minutes) and the second factor, then the notice.
    const login = expectPage(await browser.navigate(location.href));
    assert.match(login.html, /name="password"/);
    const challenge = expectPage(await submitPassword(browser, login.html, user.username, PASSWORD));
    const back = expectPage(await submitTotp(browser, challenge.html, nextTotp()));
    assert.equal(new URL(back.url).search, '?notice=verify-again');
  });

  test('the last second factor cannot be removed; after adding another, it can', async () => {
    const { user, factorId } = await newUser();
    const { browser, csrf } = await signInVerified(user.username);
    const refused = await browser.request('/account/factors/remove', {
      form: { csrf, factor: `totp:${factorId}`, confirm: 'yes' },
    });
    assert.equal(refused.headers.get('location'), '/account?notice=last-factor');
    assert.ok(await idp.stepup.store.factors.findById(factorId));

    // Add a second authenticator app: the person had no recovery codes, so a set is shown once.
    const setup = expectPage(await browser.navigate('/account/totp/new', { form: { csrf } }));
    const secret = (/<code class="secret">([^<]+)<\/code>/.exec(setup.html)?.[1] ?? '').replace(/\s+/g, '');
    const wrong = await browser.request('/account/totp', { form: { csrf, name: 'Tablet', code: '000000' } });
    assert.equal(wrong.status, 401);
    const codes = expectPage(
      await browser.navigate('/account/totp', { form: { csrf, name: 'Tablet', code: nextTotp(secret) } }),
    );
    assert.match(codes.html, /Save your recovery codes/);
    assert.equal((await idp.stepup.store.recoveryCodes.summary(user.id))?.remaining, 10);
    const factors = await idp.stepup.store.factors.listForUser(user.id);
    assert.deepEqual(
      factors.map((factor) => factor.name),
      ['test', 'Tablet'],
    );

    const epochBefore = (await idp.stepup.store.users.findById(user.id))?.rememberedBrowsersEpoch ?? -1;
    // The Remove button asks first: nothing is removed until the confirmation's own form is sent.
    const asked = expectPage(
      await browser.navigate('/account/factors/remove', { form: { csrf, factor: `totp:${factorId}` } }),
    );
    assert.equal(asked.page.status, 200);
    assert.match(asked.html, /<h1>Remove test\?<\/h1>/);
    assert.match(asked.html, /name="confirm" value="yes"/);
    assert.ok(await idp.stepup.store.factors.findById(factorId), 'asking removes nothing');
    const removed = await browser.request('/account/factors/remove', {
      form: { csrf, factor: hiddenField(asked.html, 'factor'), confirm: hiddenField(asked.html, 'confirm') },
    });
    assert.equal(removed.headers.get('location'), '/account?notice=removed');
    assert.equal(await idp.stepup.store.factors.findById(factorId), undefined);
    assert.equal((await idp.stepup.store.users.findById(user.id))?.rememberedBrowsersEpoch, epochBefore + 1);
    assert.ok(events.some((event) => event.event === 'factor.removed' && event.factorId === factorId));
  });

  test('regenerating recovery codes voids the old set; forgetting browsers raises the epoch', async () => {
    const { user } = await newUser();
    const { browser, csrf } = await signInVerified(user.username);
    const first = expectPage(await browser.navigate('/account/recovery-codes/new', { form: { csrf } }));
    const firstCodes = [...first.html.matchAll(/<li><code>([^<]+)<\/code><\/li>/g)].map((match) => match[1]);
    assert.equal(firstCodes.length, 10);
    const second = expectPage(await browser.navigate('/account/recovery-codes/new', { form: { csrf } }));
    assert.match(second.html, /Your old recovery codes no longer work/);
    const back = expectPage(await browser.navigate(formAction(second.html, '/account'), { form: { csrf } }));
    assert.match(back.html, /data-recovery-codes>10 of 10 left/);

    const forgotten = await browser.request('/account/forget-browsers', { form: { csrf } });
    assert.equal(forgotten.headers.get('location'), '/account?notice=forgotten');
    assert.equal((await idp.stepup.store.users.findById(user.id))?.rememberedBrowsersEpoch, 1);
  });

  test('adding a push device: a single-use link, then the device is listed', async () => {
    const { user } = await newUser();
    const { browser, csrf } = await signInVerified(user.username);
    const notYet = await browser.request('/account/push/done', { form: { csrf } });
    assert.equal(notYet.headers.get('location'), '/account?notice=push-not-enrolled');
    const setup = expectPage(await browser.navigate('/account/push/new', { form: { csrf } }));
    const link = /class="push-link"><a href="([^"]+)"/.exec(setup.html)?.[1] ?? '';
    assert.match(link, /\/authenticator#/);
    const device = await enrollDevice(link.replaceAll('&amp;', '&'), 'Pixel');
    assert.equal(device.name, 'Pixel');
    const codes = expectPage(await browser.navigate('/account/push/done', { form: { csrf } }));
    assert.match(codes.html, /Save your recovery codes/, 'a first set after the first strong factor');
    const page = expectPage(await browser.navigate('/account'));
    assert.match(page.html, /<strong>Pixel<\/strong>/);
    assert.match(page.html, /Sign-in requests \(Stepup authenticator\)/);
    assert.match(page.html, /data-recovery-codes>10 of 10 left/);
  });

  test('a factor switched off is not offered and cannot be added; the person still sees it', async () => {
    const { user } = await newUser();
    const { browser, csrf } = await signInVerified(user.username);
    applyLiveSettings(idp.stepup.config, {
      factors: { push: { enabled: false }, webauthn: { enabled: false }, totp: { enabled: false } },
    });
    try {
      const page = expectPage(await browser.navigate('/account'));
      assert.doesNotMatch(page.html, /push\/new|totp\/new|webauthn\/new/);
      assert.match(page.html, /data-switched-off>Switched off for now/, 'the TOTP factor is listed as off');
      for (const route of [
        '/account/push/new',
        '/account/totp/new',
        '/account/totp',
        '/account/webauthn/new',
      ]) {
        const refused = await browser.request(route, { form: { csrf, code: '000000' } });
        assert.deepEqual(
          [refused.status, refused.headers.get('location')],
          [303, '/account?notice=factor-switched-off'],
          route,
        );
      }
      const options = await browser.request('/account/webauthn/options', { form: { csrf } });
      assert.equal(options.status, 409);
      assert.equal((await idp.stepup.store.factors.listForUser(user.id)).length, 1);
      assert.deepEqual(await idp.stepup.store.pushDevices.listForUser(user.id), []);
      assert.deepEqual(await idp.stepup.store.webauthnCredentials.listForUser(user.id), []);
      assert.equal(
        events.filter(
          (event) => event.event === 'account.change_refused' && event.reason === 'factor_switched_off',
        ).length,
        5,
      );
    } finally {
      applyLiveSettings(idp.stepup.config, {
        factors: { push: { enabled: true }, webauthn: { enabled: true }, totp: { enabled: true } },
      });
    }
  });

  test('a callback whose state this browser did not start is refused', async () => {
    const browser = new TestBrowser(idp.issuer);
    const response = await browser.request('/account/callback?code=abc&state=forged');
    assert.equal(response.status, 400);
  });
});
