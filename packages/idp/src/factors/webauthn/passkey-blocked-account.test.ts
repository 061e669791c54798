import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SoftwareAuthenticator } from '../../testing/software-authenticator.ts';
import { hiddenField } from '../../testing/test-browser.ts';
import { startTestProvider, type TestProvider } from '../../testing/test-provider.ts';
import { expectPage, TestRelyingParty } from '../../testing/test-relying-party.ts';
import { userHandleOf } from './issue-registration-options.ts';

const CLIENT_SECRET = 'passkey-blocked-secret-0123456789abcdef';

describe('passkey sign-in of a blocked account', () => {
  let idp: TestProvider;
  before(async () => {
    idp = await startTestProvider();
    await idp.addClient({ client_id: 'app', client_secret: CLIENT_SECRET });
  });
  after(() => idp.close());

  /** Opens the login page and signs in with the passkey; returns the answer to the passkey POST. */
  async function signInWithPasskey(userId: string, passkey: SoftwareAuthenticator) {
    const rp = await TestRelyingParty.discover(idp.issuer, 'app', { client_secret: CLIENT_SECRET });
    const login = expectPage(await rp.open(await rp.authorizationUrl()));
    const action = new URL(login.url).pathname;
    const csrf = hiddenField(login.html, 'csrf');
    const options = await rp.browser.request(`${action}/passkey/options`, { form: { csrf } });
    assert.equal(options.status, 200);
    const { challenge } = (await options.json()) as { challenge: string };
    const response = passkey.assert({
      challenge,
      origin: idp.issuer,
      rpId: 'localhost',
      userVerified: true,
      userHandle: Buffer.from(userHandleOf(userId)).toString('base64url'),
    });
    return rp.browser.navigate(`${action}/passkey`, { form: { csrf, response: JSON.stringify(response) } });
  }

  test('a valid passkey opens nothing once an operator blocked the account; unblocked, it signs in', async () => {
    const user = await idp.addUser('blocked-passkey', 'a password nobody uses');
    const passkey = new SoftwareAuthenticator();
    await idp.stepup.store.webauthnCredentials.add({
      id: passkey.credentialId,
      userId: user.id,
      publicKey: passkey.publicKey,
      counter: 0,
      transports: ['internal'],
      aaguid: '00000000-0000-0000-0000-000000000000',
      deviceType: 'multiDevice',
      backedUp: true,
      attachment: 'platform',
      name: 'Passkey',
      now: Math.floor(Date.now() / 1000),
    });
    await idp.stepup.store.userManagement.update(user.id, { blocked: true });

    const refused = await signInWithPasskey(user.id, passkey);
    assert.ok('page' in refused, 'the login page again, not a redirect to the application');
    assert.equal(refused.page.status, 401);
    assert.match(refused.html, /That passkey can not sign in/);

    await idp.stepup.store.userManagement.update(user.id, { blocked: false });
    const admitted = await signInWithPasskey(user.id, passkey);
    assert.ok('left' in admitted, 'straight back to the application');
    assert.ok(admitted.left.searchParams.get('code'));
  });
});
