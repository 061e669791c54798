import { ACR_MULTI_FACTOR } from '@stepup/core';
import { decodeJwt } from 'jose';
import { totpCodeAt } from '../../packages/idp/src/factors/totp/totp.ts';
import { TestBrowser } from '../../packages/idp/src/testing/test-browser.ts';
import { submitPassword, submitTotp } from '../../packages/idp/src/testing/test-relying-party.ts';
import {
  authorizeUrl,
  type BenchClient,
  redeemCode,
  signIn,
  tokenRequest,
} from '../load/relying-party-load.ts';
import { BenchStarved, FlowFailure, type FlowName } from './flow-outcomes.ts';

/** RFC 6238 time step of the codes the provider takes (totp.ts). */
const TOTP_PERIOD = 30;

export interface PasswordAccount {
  username: string;
  password: string;
}

export interface TotpAccount extends PasswordAccount {
  /** The base32 seed enrolled for the account, from which the bench computes its codes. */
  secret: string;
}

/**
 * The order flows arrive in, repeated: for ten arrivals, four silent authentications, three refresh
 * grants, two password logins and one TOTP step-up — most traffic is applications renewing what a
 * person already proved, the rest signs someone in.
 */
export const TRAFFIC_CYCLE: readonly FlowName[] = [
  'silent (prompt=none)',
  'refresh token',
  'password login',
  'silent (prompt=none)',
  'step-up (TOTP)',
  'refresh token',
  'silent (prompt=none)',
  'password login',
  'refresh token',
  'silent (prompt=none)',
];

type Navigation = Awaited<ReturnType<TestBrowser['navigate']>>;

/**
 * Real OpenID flows through the proxy, as browsers and a confidential application make them. Each
 * flow checks what it gets (a login or TOTP page where one is due, a code at the callback, an ID
 * token whose `acr` and `amr` say what was proven) and throws a `FlowFailure` otherwise.
 *
 * What flows share is held so no two use it at once: a signed-in browser (its session cookie) serves
 * one silent authentication at a time; a refresh token is used once, by one grant, then replaced by
 * the one it returns; a TOTP account steps up at most once per time step, as the provider accepts
 * each step once (the code is computed for the step reserved, which the provider's skew window
 * still accepts when the flow crosses into the next step).
 */
export class SoakTraffic {
  readonly #origin: string;
  readonly #client: BenchClient;
  readonly #passwordAccounts: PasswordAccount[];
  readonly #totpAccounts: Array<TotpAccount & { lastStep: number; busy: boolean }>;
  readonly #idleBrowsers: TestBrowser[] = [];
  readonly #idleRefreshTokens: string[] = [];
  #browserPoolSize = 0;
  #nextPasswordAccount = 0;

  constructor(
    origin: string,
    client: BenchClient,
    accounts: { password: PasswordAccount[]; totp: TotpAccount[] },
  ) {
    this.#origin = origin;
    this.#client = client;
    this.#passwordAccounts = accounts.password;
    this.#totpAccounts = accounts.totp.map((account) => ({ ...account, lastStep: 0, busy: false }));
  }

  /**
   * Signs in `browsers` browsers for silent authentication and `refreshTokens` applications with
   * offline access. Password logins later replace the oldest idle browsers, as people come and go.
   */
  async prepare(options: { browsers: number; refreshTokens: number }): Promise<void> {
    this.#browserPoolSize = options.browsers;
    for (let i = 0; i < options.browsers; i += 1) await this.#passwordLogin();
    for (let i = 0; i < options.refreshTokens; i += 1) {
      // OIDC Core 11: offline_access is honoured only together with prompt=consent.
      const { code } = await signIn(this.#origin, this.#client, this.#takePasswordAccount(), {
        scope: 'openid offline_access',
        prompt: 'consent',
      });
      const tokens = await redeemCode(this.#origin, this.#client, code);
      if (typeof tokens.refresh_token !== 'string') throw new Error('no refresh token with offline_access');
      this.#idleRefreshTokens.push(tokens.refresh_token);
    }
  }

  run(flow: FlowName): Promise<void> {
    switch (flow) {
      case 'password login':
        return this.#passwordLogin();
      case 'step-up (TOTP)':
        return this.#stepUp();
      case 'silent (prompt=none)':
        return this.#silent();
      case 'refresh token':
        return this.#refresh();
    }
  }

  /** A new browser: authorize → login page → password → callback → token endpoint. */
  async #passwordLogin(): Promise<void> {
    const account = this.#takePasswordAccount();
    const browser = new TestBrowser(this.#origin);
    const login = expectPage(await browser.navigate(authorizeUrl(this.#origin, this.#client)), 'authorize');
    const callback = expectCode(
      await submitPassword(browser, login.html, account.username, account.password),
      'password',
    );
    const claims = await this.#redeem(callback);
    if (!claims.amr.includes('pwd')) throw new FlowFailure(`amr without pwd: ${claims.amr.join(',')}`);
    this.#idleBrowsers.push(browser);
    if (this.#idleBrowsers.length > this.#browserPoolSize) this.#idleBrowsers.shift();
  }

  /** A new browser asks for multi-factor: login page → password → TOTP page → code → token endpoint. */
  async #stepUp(): Promise<void> {
    const step = Math.floor(Date.now() / 1000 / TOTP_PERIOD);
    const account = this.#totpAccounts.find((candidate) => !candidate.busy && candidate.lastStep < step);
    if (!account) throw new BenchStarved('every TOTP account used this time step');
    account.busy = true;
    account.lastStep = step;
    try {
      const browser = new TestBrowser(this.#origin);
      const authorize = authorizeUrl(this.#origin, this.#client, { acr_values: ACR_MULTI_FACTOR });
      const login = expectPage(await browser.navigate(authorize), 'authorize');
      const totpPage = expectPage(
        await submitPassword(browser, login.html, account.username, account.password),
        'password',
      );
      if (!totpPage.html.includes('name="code"')) throw new FlowFailure('password: no TOTP page');
      const callback = expectCode(
        await submitTotp(browser, totpPage.html, totpCodeAt(account.secret, step * TOTP_PERIOD)),
        'TOTP',
      );
      const claims = await this.#redeem(callback);
      if (claims.acr !== ACR_MULTI_FACTOR) throw new FlowFailure(`acr ${claims.acr} after a step-up`);
      if (!claims.amr.includes('otp')) throw new FlowFailure(`amr without otp: ${claims.amr.join(',')}`);
    } finally {
      account.busy = false;
    }
  }

  /** A signed-in browser: authorize with `prompt=none` → callback → token endpoint. */
  async #silent(): Promise<void> {
    const browser = this.#idleBrowsers.shift();
    if (!browser) throw new BenchStarved('every signed-in browser in use');
    const answer = await browser.request(authorizeUrl(this.#origin, this.#client, { prompt: 'none' }));
    const location = answer.headers.get('location');
    if (!location) throw new FlowFailure(`authorize (prompt=none): ${answer.status} without a redirect`);
    const claims = await this.#redeem(callbackCode(new URL(location), 'authorize (prompt=none)'));
    if (!claims.amr.includes('pwd')) throw new FlowFailure(`amr without pwd: ${claims.amr.join(',')}`);
    // Only a browser that worked goes back: one whose session was refused would fail every time after.
    this.#idleBrowsers.push(browser);
  }

  /** A rotating refresh token: the grant returns the next one, which replaces it. */
  async #refresh(): Promise<void> {
    const refreshToken = this.#idleRefreshTokens.shift();
    if (!refreshToken) throw new BenchStarved('every refresh token in use');
    const tokens = await tokenRequest(this.#origin, this.#client, {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
    });
    if (typeof tokens.refresh_token !== 'string') throw new FlowFailure('refresh: no new refresh token');
    if (typeof tokens.access_token !== 'string') throw new FlowFailure('refresh: no access token');
    this.#idleRefreshTokens.push(tokens.refresh_token);
  }

  #takePasswordAccount(): PasswordAccount {
    const account = this.#passwordAccounts[this.#nextPasswordAccount % this.#passwordAccounts.length];
    this.#nextPasswordAccount += 1;
    if (!account) throw new TypeError('the soak needs at least one password account');
    return account;
  }

  /** The code at the callback, redeemed; returns the ID token's `acr` and `amr`. */
  async #redeem(code: string): Promise<{ acr: unknown; amr: string[] }> {
    const tokens = await redeemCode(this.#origin, this.#client, code);
    if (typeof tokens.id_token !== 'string') throw new FlowFailure('token endpoint: no ID token');
    const claims = decodeJwt(tokens.id_token);
    const amr = Array.isArray(claims.amr) ? claims.amr.map(String) : [];
    return { acr: claims.acr, amr };
  }
}

function expectPage(navigation: Navigation, after: string): { html: string } {
  if ('left' in navigation) {
    const error = navigation.left.searchParams.get('error');
    throw new FlowFailure(
      `${after}: back to the application${error ? ` with ${error}` : ''} instead of a page`,
    );
  }
  return navigation;
}

function expectCode(navigation: Navigation, after: string): string {
  if (!('left' in navigation)) {
    const heading = /<h1[^>]*>([\s\S]*?)<\/h1>/.exec(navigation.html)?.[1]?.trim() ?? 'no heading';
    throw new FlowFailure(`${after}: page ${navigation.page.status} "${heading}" instead of the callback`);
  }
  return callbackCode(navigation.left, after);
}

function callbackCode(callback: URL, after: string): string {
  const error = callback.searchParams.get('error');
  if (error) throw new FlowFailure(`${after}: callback with ${error}`);
  const code = callback.searchParams.get('code');
  if (!code) throw new FlowFailure(`${after}: callback without a code`);
  return code;
}
