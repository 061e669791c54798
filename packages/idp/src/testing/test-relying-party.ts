import * as oidc from 'openid-client';
import { formAction, hiddenField, TestBrowser } from './test-browser.ts';
import { TEST_REDIRECT_URI } from './test-provider.ts';

export interface PendingLogin {
  url: URL;
  state: string;
  nonce: string;
  verifier: string;
  maxAge?: number;
}

/** A relying party built on openid-client, the certified RP library, as a real application would be. */
export class TestRelyingParty {
  readonly config: oidc.Configuration;
  readonly browser: TestBrowser;

  private constructor(config: oidc.Configuration, browser: TestBrowser) {
    this.config = config;
    this.browser = browser;
  }

  static async discover(
    issuer: string,
    clientId: string,
    metadata: Partial<oidc.ClientMetadata> = {},
    clientAuth?: oidc.ClientAuth,
  ): Promise<TestRelyingParty> {
    const config = await oidc.discovery(new URL(issuer), clientId, metadata, clientAuth, {
      execute: [oidc.allowInsecureRequests],
    });
    return new TestRelyingParty(config, new TestBrowser(issuer));
  }

  /** The same application in a given browser, e.g. one signed in through another application. */
  inBrowser(browser: TestBrowser): TestRelyingParty {
    return new TestRelyingParty(this.config, browser);
  }

  /** The same application in a new browser (no cookies). */
  inNewBrowser(): TestRelyingParty {
    return new TestRelyingParty(this.config, new TestBrowser(this.browser.origin));
  }

  async authorizationUrl(params: Record<string, string> = {}): Promise<PendingLogin> {
    return this.#pendingLogin(params, (parameters) => oidc.buildAuthorizationUrl(this.config, parameters));
  }

  /**
   * Pushes the request (RFC 9126) and gives the URL the browser opens: `client_id` and `request_uri`
   * only. With `dpop`, the pushed request binds the code to that key (RFC 9449 10).
   */
  async pushedAuthorizationUrl(
    params: Record<string, string> = {},
    dpop?: oidc.DPoPHandle,
  ): Promise<PendingLogin> {
    return this.#pendingLogin(params, (parameters) =>
      oidc.buildAuthorizationUrlWithPAR(this.config, parameters, dpop ? { DPoP: dpop } : undefined),
    );
  }

  /**
   * Signs the request into a request object (RFC 9101) with `key`, sent by value or, with `push`,
   * through PAR. `outside` is added to the URL next to it, as a browser could edit it.
   */
  async signedAuthorizationUrl(
    params: Record<string, string>,
    key: CryptoKey,
    options: { push?: boolean; outside?: Record<string, string>; dpop?: oidc.DPoPHandle } = {},
  ): Promise<PendingLogin> {
    return this.#pendingLogin(params, async (parameters) => {
      const signed = await oidc.buildAuthorizationUrlWithJAR(this.config, parameters, key);
      const url = options.push
        ? await oidc.buildAuthorizationUrlWithPAR(
            this.config,
            signed.searchParams,
            options.dpop ? { DPoP: options.dpop } : undefined,
          )
        : signed;
      for (const [name, value] of Object.entries(options.outside ?? {})) url.searchParams.set(name, value);
      return url;
    });
  }

  async #pendingLogin(
    params: Record<string, string>,
    build: (parameters: Record<string, string>) => Promise<URL> | URL,
  ): Promise<PendingLogin> {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = await build({
      redirect_uri: TEST_REDIRECT_URI,
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      ...params,
    });
    return { url, state, nonce, verifier, ...(params.max_age ? { maxAge: Number(params.max_age) } : {}) };
  }

  /** Opens the authorization URL in the browser: a login page, or straight back to the application. */
  async open(pending: PendingLogin) {
    return this.browser.navigate(pending.url.href);
  }

  async redeem(callback: URL, pending: PendingLogin, verifier = pending.verifier, dpop?: oidc.DPoPHandle) {
    return oidc.authorizationCodeGrant(
      this.config,
      callback,
      {
        pkceCodeVerifier: verifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        ...(pending.maxAge === undefined ? {} : { maxAge: pending.maxAge }),
      },
      undefined,
      dpop ? { DPoP: dpop } : undefined,
    );
  }
}

type Navigation = Awaited<ReturnType<TestBrowser['navigate']>>;

export function expectPage(result: Navigation): { page: Response; html: string; url: string } {
  if ('left' in result) throw new Error(`expected a provider page, left for ${result.left.href}`);
  return result;
}

export function expectCallback(result: Navigation): URL {
  if (!('left' in result)) {
    throw new Error(`expected a redirect to the application, got page ${result.url} (${result.page.status})`);
  }
  return result.left;
}

export async function submitPassword(browser: TestBrowser, html: string, username: string, password: string) {
  return browser.navigate(formAction(html, '/password'), {
    form: { csrf: hiddenField(html, 'csrf'), username, password },
  });
}

export async function submitTotp(browser: TestBrowser, html: string, code: string) {
  return browser.navigate(formAction(html, '/totp'), { form: { csrf: hiddenField(html, 'csrf'), code } });
}
