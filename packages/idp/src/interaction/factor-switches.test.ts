import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ACR_MULTI_FACTOR } from '@stepup/core';
import { RecoveryCodes } from '../factors/recovery-codes/recovery-codes.ts';
import { totpCodeAt } from '../factors/totp/totp.ts';
import { machineToken } from '../testing/management-tokens.ts';
import { enrollTestDevice } from '../testing/push-login.ts';
import { hiddenField } from '../testing/test-browser.ts';
import { startTestProvider, type TestProvider } from '../testing/test-provider.ts';
import {
  expectCallback,
  expectPage,
  submitPassword,
  submitTotp,
  TestRelyingParty,
} from '../testing/test-relying-party.ts';

const CLIENT_SECRET = 'switches-client-secret-0123456789abcdef';
const PASSWORD = 'correct horse battery';
const TOTP_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const SWITCHED_OFF = /switched off by the operator/;

describe('factor switches (settings factors.*.enabled, at runtime)', () => {
  let idp: TestProvider;
  let settingsToken: string;

  before(async () => {
    idp = await startTestProvider();
    await idp.addClient({ client_id: 'app', client_secret: CLIENT_SECRET, client_name: 'Salary' });
    settingsToken = await machineToken(idp, 'settings-robot', ['read:settings', 'update:settings']);
  });
  after(() => idp.close());

  async function switchFactors(factors: Record<string, { enabled: boolean }>) {
    const response = await fetch(`${idp.issuer}/api/v1/settings`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${settingsToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ factors }),
    });
    assert.equal(response.status, 200);
    return ((await response.json()) as { factors: unknown }).factors;
  }

  /** Signs in with the password, asking for MFA; returns the relying party and what follows. */
  async function signIn(username: string) {
    const rp = await TestRelyingParty.discover(idp.issuer, 'app', { client_secret: CLIENT_SECRET });
    const pending = await rp.authorizationUrl({ acr_values: ACR_MULTI_FACTOR });
    const login = expectPage(await rp.open(pending));
    return { rp, pending, login, next: await submitPassword(rp.browser, login.html, username, PASSWORD) };
  }

  function expectUnmetSwitchedOff(next: Awaited<ReturnType<typeof signIn>>['next']) {
    const callback = expectCallback(next);
    assert.equal(callback.searchParams.get('error'), 'unmet_authentication_requirements');
    assert.match(String(callback.searchParams.get('error_description')), SWITCHED_OFF);
  }

  test('TOTP off: not offered nor accepted; recovery codes are the way in; a TOTP-only person is told, never enrolled', async () => {
    const withCodes = await idp.addUser('totp-and-codes', PASSWORD);
    await idp.importTotp(withCodes.id, TOTP_SECRET);
    await new RecoveryCodes(idp.stepup.store.recoveryCodes).issue(
      withCodes.id,
      Math.floor(Date.now() / 1000),
    );
    const totpOnly = await idp.addUser('totp-only', PASSWORD);
    await idp.importTotp(totpOnly.id, TOTP_SECRET);

    assert.deepEqual(await switchFactors({ totp: { enabled: false } }), {
      email: { enabled: true },
      totp: { enabled: false },
      webauthn: { enabled: true },
      push: { enabled: true },
    });
    const { rp, next } = await signIn('totp-and-codes');
    const page = expectPage(next);
    assert.match(page.html, /<h1>Enter a recovery code<\/h1>/);
    assert.doesNotMatch(page.html, /value="totp"/, 'not under "try another way" either');
    // A correct TOTP code posted straight to the TOTP route is not taken.
    const action = new URL(page.url).pathname;
    const direct = await rp.browser.request(`${action}/totp`, {
      form: {
        csrf: hiddenField(page.html, 'csrf'),
        code: totpCodeAt(TOTP_SECRET, Math.floor(Date.now() / 1000)),
      },
    });
    assert.deepEqual([direct.status, direct.headers.get('location')], [303, action]);
    const chosen = await rp.browser.request(`${action}/choose`, {
      form: { csrf: hiddenField(page.html, 'csrf'), method: 'totp' },
    });
    assert.equal(chosen.status, 303);
    assert.match(expectPage(await rp.browser.navigate(action)).html, /<h1>Enter a recovery code<\/h1>/);

    expectUnmetSwitchedOff((await signIn('totp-only')).next);

    // Switched back on, the same person is asked for TOTP again and gets the multi-factor acr.
    await switchFactors({ totp: { enabled: true } });
    const again = await signIn('totp-only');
    const challenge = expectPage(again.next);
    assert.match(challenge.html, /<h1>Enter your verification code<\/h1>/);
    const tokens = await again.rp.redeem(
      expectCallback(
        await submitTotp(
          again.rp.browser,
          challenge.html,
          totpCodeAt(TOTP_SECRET, Math.floor(Date.now() / 1000) + 30),
        ),
      ),
      again.pending,
    );
    assert.equal(tokens.claims()?.acr, ACR_MULTI_FACTOR);
  });

  test('push off: another enrolled factor is offered instead; a push-only person is told, never enrolled', async () => {
    const both = await idp.addUser('push-and-totp', PASSWORD);
    await enrollTestDevice(idp, both.id);
    await idp.importTotp(both.id, TOTP_SECRET);
    const pushOnly = await idp.addUser('push-only', PASSWORD);
    await enrollTestDevice(idp, pushOnly.id);
    await switchFactors({ push: { enabled: false } });
    try {
      const page = expectPage((await signIn('push-and-totp')).next);
      assert.match(page.html, /<h1>Enter your verification code<\/h1>/);
      assert.doesNotMatch(page.html, /value="push"/);
      expectUnmetSwitchedOff((await signIn('push-only')).next);
    } finally {
      await switchFactors({ push: { enabled: true } });
    }
  });

  test('WebAuthn off: no passkey sign-in on the login page, its routes refuse; a key-only person is told', async () => {
    const keyOnly = await idp.addUser('key-only', PASSWORD);
    await idp.stepup.store.webauthnCredentials.add({
      id: 'a2V5LW9ubHk',
      userId: keyOnly.id,
      publicKey: new Uint8Array([0xa0]),
      counter: 0,
      transports: ['usb'],
      aaguid: '00000000-0000-0000-0000-000000000000',
      deviceType: 'singleDevice',
      backedUp: false,
      attachment: 'cross-platform',
      name: 'Security key',
      now: Math.floor(Date.now() / 1000),
    });
    await switchFactors({ webauthn: { enabled: false } });
    try {
      const rp = await TestRelyingParty.discover(idp.issuer, 'app', { client_secret: CLIENT_SECRET });
      const login = expectPage(await rp.open(await rp.authorizationUrl({ acr_values: ACR_MULTI_FACTOR })));
      assert.doesNotMatch(login.html, /Sign in with a passkey|passkey\/options/);
      const action = new URL(login.url).pathname;
      const options = await rp.browser.request(`${action}/passkey/options`, {
        form: { csrf: hiddenField(login.html, 'csrf') },
      });
      assert.equal(options.status, 409);
      const passkey = await rp.browser.request(`${action}/passkey`, {
        form: { csrf: hiddenField(login.html, 'csrf'), response: '{}' },
      });
      assert.deepEqual([passkey.status, passkey.headers.get('location')], [303, action]);
      expectUnmetSwitchedOff((await signIn('key-only')).next);
    } finally {
      await switchFactors({ webauthn: { enabled: true } });
    }
    const rp = await TestRelyingParty.discover(idp.issuer, 'app', { client_secret: CLIENT_SECRET });
    const login = expectPage(await rp.open(await rp.authorizationUrl({ acr_values: ACR_MULTI_FACTOR })));
    assert.match(login.html, /Sign in with a passkey/, 'offered again once switched on');
  });

  test('a switch that is not a boolean, or an unknown factor, is refused and changes nothing', async () => {
    const read = async () =>
      (await (
        await fetch(`${idp.issuer}/api/v1/settings`, {
          headers: { authorization: `Bearer ${settingsToken}` },
        })
      ).json()) as { factors: unknown };
    const before = await read();
    for (const [factors, field] of [
      [{ totp: { enabled: 'no' } }, 'factors.totp.enabled'],
      [{ sms: { enabled: false } }, 'factors'],
      [{ push: {} }, 'factors.push.enabled'],
    ] as const) {
      const response = await fetch(`${idp.issuer}/api/v1/settings`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${settingsToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ factors }),
      });
      const body = (await response.json()) as { error: { code: string; details: { field: string } } };
      assert.deepEqual(
        [response.status, body.error.code, body.error.details.field],
        [400, 'invalid_body', field],
      );
    }
    assert.deepEqual((await read()).factors, before.factors);
  });
});
