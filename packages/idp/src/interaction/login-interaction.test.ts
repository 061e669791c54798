import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ACR_MULTI_FACTOR, ACR_ONE_FACTOR, ACR_PHISHING_RESISTANT } from '@stepup/core';
import { totpCodeAt } from '../factors/totp/totp.ts';
import { formAction, hiddenField } from '../testing/test-browser.ts';
import { startTestProvider, type TestProvider } from '../testing/test-provider.ts';
import {
  expectCallback,
  expectPage,
  submitPassword,
  submitTotp,
  TestRelyingParty,
} from '../testing/test-relying-party.ts';

const CLIENT_SECRET = 'interaction-client-secret-0123456789';
const PASSWORD = 'correct horse battery';
const now = () => Math.floor(Date.now() / 1000);
const MFA_MAX_AGE = 300;

describe('the login interaction', () => {
  let idp: TestProvider;
  // The provider's clock, moved forward by a test instead of sleeping through the MFA level's age.
  let offset = 0;
  const clock = () => now() + offset;

  before(async () => {
    idp = await startTestProvider({
      clock,
      // An MFA level with a maximum age, so the test can watch it expire.
      acrLadder: [
        { acr: ACR_ONE_FACTOR, factors: 1 },
        { acr: ACR_MULTI_FACTOR, factors: 2, maxAge: MFA_MAX_AGE },
        { acr: ACR_PHISHING_RESISTANT, factors: 2, phishingResistant: true, maxAge: MFA_MAX_AGE },
      ],
      throttling: { accountFreeFailures: 2, accountMaxDelaySeconds: 60 },
    });
    await idp.addClient({ client_id: 'app', client_secret: CLIENT_SECRET, client_name: 'Salary' });
  });
  after(() => idp.close());

  const rpFor = () => TestRelyingParty.discover(idp.issuer, 'app', { client_secret: CLIENT_SECRET });

  test('a person with no second factor enrolls TOTP during the step-up and gets MFA', async () => {
    const user = await idp.addUser('newcomer', PASSWORD);
    const rp = await rpFor();
    const pending = await rp.authorizationUrl({ acr_values: ACR_MULTI_FACTOR });
    const login = expectPage(await rp.open(pending));
    assert.match(login.html, /Salary/);
    const offered = expectPage(await submitPassword(rp.browser, login.html, 'newcomer', PASSWORD));
    // Push is offered first (the seed's factor); TOTP is under "try another way".
    assert.match(offered.html, /Get sign-in requests on your phone/);
    const enrollment = expectPage(
      await rp.browser.navigate(formAction(offered.html, '/choose'), {
        form: { csrf: hiddenField(offered.html, 'csrf'), method: 'totp' },
      }),
    );
    assert.match(enrollment.html, /data:image\/png;base64,/, 'shows a QR code');
    const secret = /otpauth:\/\/totp\/[^"]*secret=([A-Z2-7]+)/.exec(enrollment.html)?.[1];
    assert.ok(secret, 'shows the otpauth link with the secret');

    const wrong = expectPage(
      await rp.browser.navigate(formAction(enrollment.html, '/totp-enrollment'), {
        form: { csrf: hiddenField(enrollment.html, 'csrf'), code: '000000' },
      }),
    );
    assert.equal(wrong.page.status, 401);
    assert.equal(
      (await idp.stepup.store.factors.listForUser(user.id)).length,
      0,
      'a wrong code enrolls nothing',
    );
    assert.ok(wrong.html.includes(secret), 'the same secret is offered again');

    const codes = expectPage(
      await rp.browser.navigate(formAction(wrong.html, '/totp-enrollment'), {
        form: { csrf: hiddenField(wrong.html, 'csrf'), code: totpCodeAt(secret, now()) },
      }),
    );
    // The first second factor brings recovery codes, shown once before the login continues.
    assert.equal(codes.html.match(/<li><code>(?:[0-9A-Z]{4}-){5}[0-9A-Z]{4}<\/code><\/li>/g)?.length, 10);
    const done = await rp.browser.navigate(formAction(codes.html, '/recovery-codes/continue'), {
      form: { csrf: hiddenField(codes.html, 'csrf') },
    });
    const tokens = await rp.redeem(expectCallback(done), pending);
    assert.equal(tokens.claims()?.acr, ACR_MULTI_FACTOR);
    assert.deepEqual(tokens.claims()?.amr, ['mfa', 'otp', 'pwd']);
    const factors = await idp.stepup.store.factors.listForUser(user.id);
    assert.equal(factors.length, 1);
    assert.equal(factors[0]?.type, 'totp');
    assert.ok(!factors[0]?.secret.includes(secret), 'the secret is stored encrypted');
  });

  test('once the MFA level has outlived its maximum age the session drops to one factor and both factors are asked again', async () => {
    const secret = 'KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU';
    const user = await idp.addUser('expiring', PASSWORD);
    await idp.importTotp(user.id, secret);
    const rp = await rpFor();
    const pending = await rp.authorizationUrl({ acr_values: ACR_MULTI_FACTOR });
    const login = expectPage(await rp.open(pending));
    const challenge = expectPage(await submitPassword(rp.browser, login.html, 'expiring', PASSWORD));
    const stepped = await rp.redeem(
      expectCallback(await submitTotp(rp.browser, challenge.html, totpCodeAt(secret, now()))),
      pending,
    );
    assert.equal(stepped.claims()?.acr, ACR_MULTI_FACTOR);

    offset = MFA_MAX_AGE + 1;
    try {
      const silent = await rp.authorizationUrl({ prompt: 'none' });
      const later = await rp.redeem(expectCallback(await rp.open(silent)), silent);
      assert.equal(later.claims()?.acr, ACR_ONE_FACTOR);
      // Both methods were proven in this session, but together they no longer make the MFA level.
      assert.deepEqual(later.claims()?.amr, ['otp', 'pwd']);

      // Both proofs must fall within the level's maximum age: the password first, then the code.
      const again = await rp.authorizationUrl({ acr_values: ACR_MULTI_FACTOR });
      const password = expectPage(await rp.open(again));
      assert.match(password.html, /name="password"/);
      const code = expectPage(await submitPassword(rp.browser, password.html, 'expiring', PASSWORD));
      assert.match(code.html, /name="code"/, 'the second factor is challenged again');
    } finally {
      offset = 0;
    }
  });

  test('repeated wrong passwords make the account wait, but not on a browser it signed in from before', async () => {
    await idp.addUser('target', PASSWORD);
    const owner = await rpFor();
    const ownerLogin = expectPage(await owner.open(await owner.authorizationUrl()));
    expectCallback(await submitPassword(owner.browser, ownerLogin.html, 'target', PASSWORD));

    const attacker = await rpFor();
    let page = expectPage(await attacker.open(await attacker.authorizationUrl()));
    for (let attempt = 0; attempt < 2; attempt += 1) {
      page = expectPage(await submitPassword(attacker.browser, page.html, 'target', `guess ${attempt}`));
      assert.equal(page.page.status, 401);
    }
    const throttled = expectPage(await submitPassword(attacker.browser, page.html, 'target', PASSWORD));
    assert.equal(throttled.page.status, 429, 'even the right password waits on an unknown browser');
    assert.ok(Number(throttled.page.headers.get('retry-after')) >= 1);

    const ownerAgain = expectPage(await owner.open(await owner.authorizationUrl({ prompt: 'login' })));
    expectCallback(await submitPassword(owner.browser, ownerAgain.html, 'target', PASSWORD));
  });

  test('a session signed in to one person cannot be re-authenticated as another', async () => {
    await idp.addUser('first', PASSWORD);
    await idp.addUser('second', PASSWORD);
    const rp = await rpFor();
    const login = expectPage(await rp.open(await rp.authorizationUrl()));
    expectCallback(await submitPassword(rp.browser, login.html, 'first', PASSWORD));
    const again = expectPage(await rp.open(await rp.authorizationUrl({ prompt: 'login' })));
    const refused = expectPage(await submitPassword(rp.browser, again.html, 'second', PASSWORD));
    assert.equal(refused.page.status, 401);
  });

  test('an expired or unknown interaction shows a clear page instead of failing', async () => {
    const rp = await rpFor();
    const response = await rp.browser.request('/interaction/does-not-exist');
    assert.equal(response.status, 400);
    assert.match(await response.text(), /expired/i);
  });
});
