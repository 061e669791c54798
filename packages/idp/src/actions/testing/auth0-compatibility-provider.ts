import { ACR_MULTI_FACTOR } from '@stepup/core';
import { totpCodeAt } from '../../factors/totp/totp.ts';
import { TestBrowser } from '../../testing/test-browser.ts';
import { startTestProvider, type TestProvider } from '../../testing/test-provider.ts';
import {
  expectCallback,
  type PendingLogin,
  submitPassword,
  submitTotp,
  TestRelyingParty,
} from '../../testing/test-relying-party.ts';
import { deployAction } from '../deploy-action.ts';

export const PASSWORD = 'correct horse battery';
export const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
export const CLIENT_ID = 'compat-app';
const CLIENT_SECRET = 'compat-app-secret-0123456789abcdefghijkl';

export { ACR_MULTI_FACTOR };

/** How one login through the relying party ended. */
export type LoginResult =
  | { ended: 'tokens'; idToken: Record<string, unknown>; accessToken: string; askedForSecondFactor: boolean }
  | { ended: 'error'; error: string; description: string | null };

/**
 * A real provider for running Auth0-style Actions one at a time, each through a real login with
 * openid-client. `only` deploys one Action and switches every other one off, so each case sees
 * exactly the behaviour of its own script.
 */
export class CompatibilityProvider {
  readonly idp: TestProvider;
  #users = 0;

  private constructor(idp: TestProvider) {
    this.idp = idp;
  }

  static async start(): Promise<CompatibilityProvider> {
    // The proxy on loopback is believed, so a test can sign in "from" a public address.
    const idp = await startTestProvider({ trustProxy: ['loopback'] });
    await idp.addClient({ client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
    return new CompatibilityProvider(idp);
  }

  /** Deploys `code` (with its secrets) as the one enabled post-login Action. */
  async only(name: string, code: string, secrets: Record<string, string> = {}): Promise<void> {
    const now = Math.floor(Date.now() / 1000);
    for (const action of await this.idp.stepup.store.actions.listEnabled('post-login')) {
      await this.idp.stepup.store.actions.setEnabled(action.name, false, now);
    }
    const { stepup } = this.idp;
    await deployAction(
      { name, trigger: 'post-login', code, secrets },
      {
        actions: stepup.store.actions,
        secretBox: stepup.secretKeyring,
        sandbox: stepup.actionSandbox,
        settings: stepup.config.actions,
      },
    );
    await this.idp.stepup.store.actions.setEnabled(name, true, now);
  }

  /** A new user with a password and TOTP, and the given roles and metadata. */
  async user(
    options: { roles?: string[]; email?: string; appMetadata?: Record<string, unknown> } = {},
  ): Promise<string> {
    this.#users += 1;
    const username = `person-${this.#users}`;
    const user = await this.idp.addUser(username, PASSWORD, options.email ? { email: options.email } : {});
    await this.idp.importTotp(user.id, TOTP_SECRET);
    const changes = {
      ...(options.roles ? { roles: options.roles } : {}),
      ...(options.appMetadata ? { appMetadata: options.appMetadata } : {}),
    };
    if (Object.keys(changes).length > 0) await this.idp.stepup.store.userManagement.update(user.id, changes);
    return username;
  }

  /** A new browser; `headers` go with each of its requests (e.g. `X-Forwarded-For`). */
  browser(headers: Record<string, string> = {}): TestBrowser {
    return new TestBrowser(this.idp.issuer, headers);
  }

  /**
   * Signs `username` in with the password, and with TOTP when the provider asks for a second factor,
   * in `browser` (a new one by default; one already signed in comes straight back). `params` go on
   * the authorization request.
   */
  async login(
    username: string,
    params: Record<string, string> = {},
    browser: TestBrowser = this.browser(),
  ): Promise<LoginResult> {
    const rp = (
      await TestRelyingParty.discover(this.idp.issuer, CLIENT_ID, { client_secret: CLIENT_SECRET })
    ).inBrowser(browser);
    const pending: PendingLogin = await rp.authorizationUrl(params);
    let next = await rp.open(pending);
    if (!('left' in next)) next = await submitPassword(browser, next.html, username, PASSWORD);
    let askedForSecondFactor = false;
    if (!('left' in next) && /name="code"/.test(next.html)) {
      askedForSecondFactor = true;
      next = await submitTotp(browser, next.html, totpCodeAt(TOTP_SECRET, Math.floor(Date.now() / 1000)));
    }
    const callback = expectCallback(next);
    const error = callback.searchParams.get('error');
    if (error) return { ended: 'error', error, description: callback.searchParams.get('error_description') };
    const tokens = await rp.redeem(callback, pending);
    return {
      ended: 'tokens',
      idToken: { ...tokens.claims() },
      accessToken: tokens.access_token,
      askedForSecondFactor,
    };
  }

  close(): Promise<void> {
    return this.idp.close();
  }
}
