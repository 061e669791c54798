import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ACR_MULTI_FACTOR, ACR_ONE_FACTOR } from '@stepup/core';
import pino from 'pino';
import { totpCodeAt } from '../factors/totp/totp.ts';
import { startTestProvider, type TestProvider } from '../testing/test-provider.ts';
import {
  expectCallback,
  expectPage,
  submitPassword,
  submitTotp,
  TestRelyingParty,
} from '../testing/test-relying-party.ts';
import { LoginActions } from './login-actions.ts';
import { NO_LOGIN_EFFECTS } from './login-effects.ts';

const PASSWORD = 'correct horse battery';
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const now = () => Math.floor(Date.now() / 1000);

/** The seed's Action, verbatim but for the client id. */
const SEED_ACTION = `exports.onExecutePostLogin = async (event, api) => {
  const CLIENTS_WITH_MFA = ['hr'];
  // run only for the specified clients
  if (CLIENTS_WITH_MFA.includes(event.client.client_id)) {
    // ask for MFA only if the web app said so in the authentication request
    if (event.transaction.acr_values === 'http://schemas.openid.net/pape/policies/2007/06/multi-factor') {
      api.multifactor.enable('any', { allowRememberBrowser: false });
    }
  }
}`;

/** A rule of the operator's own: the payroll client always needs MFA, whatever it requests. */
const PAYROLL_ALWAYS_MFA = `exports.onExecutePostLogin = async (event, api) => {
  if (event.client.client_id === 'payroll') api.multifactor.enable('any', { allowRememberBrowser: false });
};`;

const DENY_CONTRACTORS = `exports.onExecutePostLogin = async (event, api) => {
  if (event.user.username.startsWith('contractor-')) api.access.deny('Contractors may not use this application.');
};`;

/** A rule with a bug that only one user triggers. */
const BUGGY_RULE = `exports.onExecutePostLogin = async (event) => {
  if (event.user.username === 'broken-rule') throw new Error('rule bug');
};`;

describe('post-login Actions in the login flow', () => {
  let idp: TestProvider;
  let users = 0;

  before(async () => {
    idp = await startTestProvider();
    for (const client of ['hr', 'payroll', 'wiki']) {
      await idp.addClient({ client_id: client, client_secret: `${client}-secret-0123456789abcdefghijkl` });
    }
    await idp.deployAction('seed', SEED_ACTION);
    await idp.deployAction('payroll-mfa', PAYROLL_ALWAYS_MFA);
    await idp.deployAction('no-contractors', DENY_CONTRACTORS);
    await idp.deployAction('buggy', BUGGY_RULE);
  });
  after(() => idp.close());

  async function userWithTotp(prefix = 'employee') {
    users += 1;
    const username = `${prefix}-${users}`;
    const user = await idp.addUser(username, PASSWORD);
    await idp.importTotp(user.id, SECRET);
    return username;
  }

  const rpFor = (client: string) =>
    TestRelyingParty.discover(idp.issuer, client, {
      client_secret: `${client}-secret-0123456789abcdefghijkl`,
    });

  test("an Action's own rule demands MFA from a client that did not ask for it", async () => {
    const username = await userWithTotp();
    const rp = await rpFor('payroll');
    const pending = await rp.authorizationUrl();
    const login = expectPage(await rp.open(pending));
    const challenge = expectPage(await submitPassword(rp.browser, login.html, username, PASSWORD));
    assert.match(challenge.html, /name="code"/, 'the Action asks for a second factor');
    const tokens = await rp.redeem(
      expectCallback(await submitTotp(rp.browser, challenge.html, totpCodeAt(SECRET, now()))),
      pending,
    );
    assert.equal(tokens.claims()?.acr, ACR_MULTI_FACTOR);
    assert.deepEqual(tokens.claims()?.amr, ['mfa', 'otp', 'pwd']);
  });

  test('another client without acr_values signs in with the password alone', async () => {
    const username = await userWithTotp();
    const rp = await rpFor('wiki');
    const pending = await rp.authorizationUrl();
    const login = expectPage(await rp.open(pending));
    const tokens = await rp.redeem(
      expectCallback(await submitPassword(rp.browser, login.html, username, PASSWORD)),
      pending,
    );
    assert.equal(tokens.claims()?.acr, ACR_ONE_FACTOR);
  });

  test("the seed's Action: MFA when its client sends the multi-factor acr_values, not without them", async () => {
    const username = await userWithTotp();
    const rp = await rpFor('hr');
    const plain = await rp.authorizationUrl();
    const login = expectPage(await rp.open(plain));
    const first = await rp.redeem(
      expectCallback(await submitPassword(rp.browser, login.html, username, PASSWORD)),
      plain,
    );
    assert.equal(first.claims()?.acr, ACR_ONE_FACTOR);

    const stepUp = await rp.authorizationUrl({ acr_values: ACR_MULTI_FACTOR });
    const challenge = expectPage(await rp.open(stepUp));
    const tokens = await rp.redeem(
      expectCallback(await submitTotp(rp.browser, challenge.html, totpCodeAt(SECRET, now()))),
      stepUp,
    );
    assert.equal(tokens.claims()?.acr, ACR_MULTI_FACTOR);
  });

  test("the seed's Action decides MFA exactly for its client with the multi-factor acr_values", async () => {
    const user = await idp.addUser(`seed-check-${now()}`, PASSWORD);
    const actions = new LoginActions({
      issuer: idp.issuer,
      store: idp.stepup.store,
      sandbox: idp.stepup.actionSandbox,
      secretBox: idp.stepup.secretKeyring,
      logger: pino({ level: 'silent' }),
      settings: idp.stepup.config.actions,
      ladder: idp.stepup.ladder,
      tenantId: 'localhost',
    });
    const decide = (clientId: string, params: Record<string, string>) =>
      actions.run({
        accountId: user.id,
        clientId,
        clientName: null,
        params,
        protocol: 'oidc-basic-profile',
        ip: '127.0.0.1',
        userAgent: null,
        hostname: 'localhost',
        proofs: [{ method: 'password', at: now() }],
        enrolledMethods: async () => [],
      });
    assert.deepEqual(await decide('hr', { acr_values: ACR_MULTI_FACTOR }), {
      decision: 'allow',
      requirement: { acr: ACR_MULTI_FACTOR },
      effects: NO_LOGIN_EFFECTS,
    });
    assert.deepEqual(await decide('hr', {}), {
      decision: 'allow',
      requirement: {},
      effects: NO_LOGIN_EFFECTS,
    });
    assert.deepEqual(await decide('wiki', { acr_values: ACR_MULTI_FACTOR }), {
      decision: 'allow',
      requirement: {},
      effects: NO_LOGIN_EFFECTS,
    });
  });

  test('access.deny ends the login with access_denied and the Action’s reason', async () => {
    await idp.addUser('contractor-1', PASSWORD);
    const rp = await rpFor('wiki');
    const pending = await rp.authorizationUrl();
    const login = expectPage(await rp.open(pending));
    const callback = expectCallback(await submitPassword(rp.browser, login.html, 'contractor-1', PASSWORD));
    assert.equal(callback.searchParams.get('error'), 'access_denied');
    assert.equal(callback.searchParams.get('error_description'), 'Contractors may not use this application.');
    assert.equal(callback.searchParams.get('code'), null);
  });

  test('silent authentication runs the Actions too: their MFA rule answers interaction_required', async () => {
    const username = await userWithTotp();
    const wiki = await rpFor('wiki');
    const pending = await wiki.authorizationUrl();
    const login = expectPage(await wiki.open(pending));
    expectCallback(await submitPassword(wiki.browser, login.html, username, PASSWORD));

    // Same browser, the payroll client, prompt=none: the session has only a password.
    const payroll = await rpFor('payroll');
    const silent = await payroll.inBrowser(wiki.browser).authorizationUrl({ prompt: 'none' });
    const callback = expectCallback(await payroll.inBrowser(wiki.browser).open(silent));
    assert.equal(callback.searchParams.get('error'), 'interaction_required');
  });

  test('an Action that throws denies the login: it never skips MFA', async () => {
    await idp.addUser('broken-rule', PASSWORD);
    const rp = await rpFor('payroll');
    const pending = await rp.authorizationUrl();
    const login = expectPage(await rp.open(pending));
    const callback = expectCallback(await submitPassword(rp.browser, login.html, 'broken-rule', PASSWORD));
    assert.equal(callback.searchParams.get('error'), 'access_denied');
    assert.equal(callback.searchParams.get('code'), null);
  });

  test("multifactor.enable('any') sends a person with no factor to enrollment", async () => {
    await idp.addUser('no-factor-yet', PASSWORD);
    const rp = await rpFor('payroll');
    const pending = await rp.authorizationUrl();
    const login = expectPage(await rp.open(pending));
    const enrollment = expectPage(await submitPassword(rp.browser, login.html, 'no-factor-yet', PASSWORD));
    assert.equal(enrollment.page.status, 200);
    assert.match(enrollment.html, /data:image\/png;base64,/, 'an enrollment QR code');
  });
});
