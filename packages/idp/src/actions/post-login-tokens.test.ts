import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ACR_MULTI_FACTOR, ACR_ONE_FACTOR } from '@stepup/core';
import * as jose from 'jose';
import * as oidc from 'openid-client';
import pino from 'pino';
import { totpCodeAt } from '../factors/totp/totp.ts';
import { PROVIDER_ROUTES } from '../oidc/provider-routes.ts';
import { REFRESH_NEEDS_MFA } from '../oidc/refresh-token-actions.ts';
import { startTestProvider, type TestProvider } from '../testing/test-provider.ts';
import {
  expectCallback,
  expectPage,
  submitPassword,
  submitTotp,
  TestRelyingParty,
} from '../testing/test-relying-party.ts';
import { ACTION_FAILED_REASON } from './run-post-login-actions.ts';

const PASSWORD = 'correct horse battery';
const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const API = 'https://payroll.example/api';
// OIDC Core 11: offline_access is honoured only together with prompt=consent.
const OFFLINE = { scope: 'openid offline_access', prompt: 'consent' };
const NS = 'https://example.com/';

/**
 * One Action, a rule per client, so each test drives a behaviour through the client it signs in to.
 * `claims` sets claims from the client's metadata, the request and the protocol, and metadata;
 * `forge-*` try registered claims; `deny-after-metadata` writes metadata then denies.
 */
const ACTION = `exports.onExecutePostLogin = async (event, api) => {
  const client = event.client.client_id;
  const protocol = event.transaction.protocol;
  if (client === 'claims' || client === 'other') {
    api.idToken.setCustomClaim('${NS}client', client);
    api.idToken.setCustomClaim('${NS}protocol', protocol);
    api.accessToken.setCustomClaim('${NS}protocol', protocol);
    if (protocol !== 'oauth2-refresh-token') {
      api.idToken.setCustomClaim('${NS}login_locale', event.transaction.locale);
      api.accessToken.setCustomClaim('${NS}level', 3);
    }
    if (client === 'claims') {
      api.idToken.setCustomClaim('${NS}dept', event.client.metadata.dept);
      api.idToken.setCustomClaim('${NS}seen', event.user.app_metadata.seen || 0);
      api.user.setAppMetadata('seen', (event.user.app_metadata.seen || 0) + 1);
      api.user.setUserMetadata('last_protocol', protocol);
    }
    if (protocol === 'oauth2-refresh-token' && event.user.app_metadata.block_refresh) {
      api.access.deny('Refresh is blocked for this account.');
    }
    if (protocol === 'oauth2-refresh-token' && event.user.app_metadata.break_refresh) {
      throw new Error('rule bug at refresh');
    }
  }
  if (client === 'forge-acr') api.idToken.setCustomClaim('acr', '${ACR_MULTI_FACTOR}');
  if (client === 'forge-sub') api.accessToken.setCustomClaim('sub', 'someone-else');
  if (client === 'deny-after-metadata') {
    api.user.setAppMetadata('should_not_persist', true);
    api.access.deny('No access.');
  }
  if (client === 'mfa-on-refresh' && protocol === 'oauth2-refresh-token') {
    api.multifactor.enable('any', { allowRememberBrowser: false });
  }
};`;

const secretOf = (client: string) => `${client}-secret-0123456789abcdefghijkl`;

describe('post-login Actions: custom claims, metadata and refresh', () => {
  let idp: TestProvider;
  let time = Math.floor(Date.now() / 1000);
  const events: Record<string, unknown>[] = [];
  let users = 0;

  before(async () => {
    const logger = pino(
      { level: 'info' },
      {
        write(line: string) {
          const entry = JSON.parse(line) as Record<string, unknown>;
          if (entry.component === 'auth') events.push(entry);
        },
      },
    );
    idp = await startTestProvider({ logger, clock: () => time });
    for (const client of [
      'claims',
      'other',
      'forge-acr',
      'forge-sub',
      'deny-after-metadata',
      'mfa-on-refresh',
      'plain',
    ]) {
      await idp.addClient({
        client_id: client,
        client_secret: secretOf(client),
        ...(client === 'claims' ? { metadata: { dept: 'hr', ignored: 7 } } : {}),
      });
    }
    await idp.stepup.store.resourceServers.upsert({
      identifier: API,
      scopes: ['payroll:read'],
      accessTokenTtl: 300,
      signingAlg: 'RS256',
    });
    await idp.deployAction('claims-and-rules', ACTION);
  });
  after(() => idp.close());

  async function newUser(options: { totp?: boolean } = {}) {
    users += 1;
    const user = await idp.addUser(`person-${users}`, PASSWORD);
    if (options.totp) await idp.importTotp(user.id, TOTP_SECRET);
    return user;
  }

  const rpFor = (client: string) =>
    TestRelyingParty.discover(idp.issuer, client, { client_secret: secretOf(client) });

  async function signIn(rp: TestRelyingParty, username: string, params: Record<string, string> = {}) {
    const pending = await rp.authorizationUrl(params);
    const login = expectPage(await rp.open(pending));
    const callback = expectCallback(await submitPassword(rp.browser, login.html, username, PASSWORD));
    return { pending, callback };
  }

  function isInvalidGrant(description: string) {
    return (error: unknown) => {
      assert.ok(
        error instanceof oidc.ResponseBodyError,
        `expected a ResponseBodyError, got ${String(error)}`,
      );
      assert.equal(error.error, 'invalid_grant');
      assert.equal(error.error_description, description);
      return true;
    };
  }

  test('ID token and JWT access token carry their own custom claims; registered ones stay the provider’s', async () => {
    const user = await newUser();
    const rp = await rpFor('claims');
    const { pending, callback } = await signIn(rp, user.username, {
      ...OFFLINE,
      scope: 'openid offline_access payroll:read',
      resource: API,
      ui_locales: 'fr',
    });
    const tokens = await rp.redeem(callback, pending);
    const idToken = tokens.claims();
    assert.equal(idToken?.sub, user.id);
    assert.equal(idToken?.acr, ACR_ONE_FACTOR);
    assert.equal(idToken?.[`${NS}client`], 'claims');
    assert.equal(idToken?.[`${NS}protocol`], 'oidc-basic-profile');
    assert.equal(idToken?.[`${NS}login_locale`], 'fr');
    assert.equal(idToken?.[`${NS}dept`], 'hr', 'event.client.metadata comes from the registration');
    assert.equal(idToken?.[`${NS}seen`], 0);
    assert.equal(idToken?.[`${NS}level`], undefined, 'an access token claim is not in the ID token');

    const accessToken = jose.decodeJwt(tokens.access_token);
    assert.equal(accessToken.aud, API);
    assert.equal(accessToken.sub, user.id);
    assert.equal(accessToken.acr, ACR_ONE_FACTOR);
    assert.equal(accessToken[`${NS}level`], 3);
    assert.equal(accessToken[`${NS}protocol`], 'oidc-basic-profile');
    assert.equal(accessToken[`${NS}client`], undefined, 'an ID token claim is not in the access token');
  });

  test('metadata set by an allowed login is persisted and read by the next one', async () => {
    const user = await newUser();
    const rp = await rpFor('claims');
    await signIn(rp, user.username);
    assert.deepEqual(await idp.stepup.store.userMetadata.find(user.id), {
      appMetadata: { seen: 1 },
      userMetadata: { last_protocol: 'oidc-basic-profile' },
    });
    const again = await rpFor('claims');
    const { pending, callback } = await signIn(again, user.username);
    assert.equal((await again.redeem(callback, pending)).claims()?.[`${NS}seen`], 1);
    assert.deepEqual((await idp.stepup.store.userMetadata.find(user.id))?.appMetadata, { seen: 2 });
  });

  test('the opaque userinfo token and the userinfo answer carry no custom claims', async () => {
    const user = await newUser();
    const rp = await rpFor('claims');
    const { pending, callback } = await signIn(rp, user.username);
    const tokens = await rp.redeem(callback, pending);
    assert.equal(tokens.access_token.split('.').length, 1, 'opaque');
    const response = await fetch(new URL(PROVIDER_ROUTES.userinfo, idp.issuer), {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { sub: user.id });
  });

  test('an Action setting acr or sub is refused: the login is denied and no token is issued', async () => {
    const user = await newUser();
    for (const client of ['forge-acr', 'forge-sub']) {
      const rp = await rpFor(client);
      const { callback } = await signIn(rp, user.username);
      assert.equal(callback.searchParams.get('error'), 'access_denied');
      assert.equal(callback.searchParams.get('error_description'), ACTION_FAILED_REASON);
      assert.equal(callback.searchParams.get('code'), null);
      assert.ok(
        events.some(
          (event) =>
            event.event === 'action.failed' &&
            event.errorCode === 'action_invalid_claim' &&
            event.action === 'claims-and-rules' &&
            event.userId === user.id &&
            event.clientId === client,
        ),
        `action.failed logged for ${client}`,
      );
    }
  });

  test('registered claims in a stored record never reach a token', async () => {
    const user = await newUser();
    const rp = await rpFor('claims');
    const { pending, callback } = await signIn(rp, user.username, {
      resource: API,
      scope: 'openid payroll:read',
    });
    const code = await new idp.stepup.store.oidcAdapter('AuthorizationCode').find(
      callback.searchParams.get('code') ?? '',
    );
    const grantId = String(code?.grantId);
    const stored = await idp.stepup.store.customClaims.find(grantId, time);
    assert.ok(stored, 'the login bound its claims to the grant');
    // As if the row had been tampered with: registered names next to a custom one.
    await idp.stepup.store.customClaims.save({
      ...stored,
      idToken: { acr: ACR_MULTI_FACTOR, sub: 'mallory', auth_time: 1, nonce: 'x', [`${NS}kept`]: true },
      accessToken: { acr: ACR_MULTI_FACTOR, sub: 'mallory', aud: 'https://evil.example', scope: 'all' },
    });
    const tokens = await rp.redeem(callback, pending);
    const idToken = tokens.claims();
    assert.equal(idToken?.acr, ACR_ONE_FACTOR);
    assert.equal(idToken?.sub, user.id);
    assert.equal(idToken?.nonce, pending.nonce);
    assert.notEqual(idToken?.auth_time, 1);
    assert.equal(idToken?.[`${NS}kept`], true);
    const accessToken = jose.decodeJwt(tokens.access_token);
    assert.equal(accessToken.acr, ACR_ONE_FACTOR);
    assert.equal(accessToken.sub, user.id);
    assert.equal(accessToken.aud, API);
    assert.equal(accessToken.scope, 'payroll:read');
  });

  test('a login whose Actions set no claims writes none, and its code and refresh tokens read none', async () => {
    const user = await newUser();
    const rp = await rpFor('plain');
    const repository = idp.stepup.store.customClaims;
    const calls: string[] = [];
    const original = { find: repository.find, save: repository.save, remove: repository.remove };
    for (const name of ['find', 'save', 'remove'] as const) {
      const method = original[name] as (...args: unknown[]) => Promise<unknown>;
      Object.assign(repository, {
        [name]: (...args: unknown[]) => {
          calls.push(name);
          return method.apply(repository, args);
        },
      });
    }
    try {
      const { pending, callback } = await signIn(rp, user.username, OFFLINE);
      const code = callback.searchParams.get('code') ?? '';
      const stored = await new idp.stepup.store.oidcAdapter('AuthorizationCode').find(code);
      assert.equal(stored?.customClaims, false, 'the code says its login set no claims');
      const tokens = await rp.redeem(callback, pending);
      const refreshToken = await new idp.stepup.store.oidcAdapter('RefreshToken').find(
        tokens.refresh_token ?? '',
      );
      assert.equal(refreshToken?.customClaims, false, 'the refresh token says so too');
      const refreshed = await oidc.refreshTokenGrant(rp.config, tokens.refresh_token ?? '');
      assert.equal(refreshed.claims()?.sub, user.id);
      assert.equal(refreshed.claims()?.[`${NS}client`], undefined);
      assert.deepEqual(calls, [], 'no custom claims statement at the login, the code or the refresh');
    } finally {
      Object.assign(repository, original);
    }
  });

  test('a login that set claims marks its code and refresh tokens, and a token without the mark still reads them', async () => {
    const user = await newUser();
    const rp = await rpFor('claims');
    const { pending, callback } = await signIn(rp, user.username, { ...OFFLINE, ui_locales: 'fr' });
    const codes = new idp.stepup.store.oidcAdapter('AuthorizationCode');
    const code = callback.searchParams.get('code') ?? '';
    const stored = await codes.find(code);
    assert.equal(stored?.customClaims, true);
    // As a code issued before the mark existed: the claims are read from the grant's record.
    const { customClaims: _mark, ...unmarked } = stored ?? {};
    await codes.upsert(code, unmarked, 60);
    const tokens = await rp.redeem(callback, pending);
    assert.equal(tokens.claims()?.[`${NS}login_locale`], 'fr');
    const refreshToken = await new idp.stepup.store.oidcAdapter('RefreshToken').find(
      tokens.refresh_token ?? '',
    );
    assert.equal(refreshToken?.customClaims, undefined, 'the unmarked code passed no mark on');
    const refreshed = await oidc.refreshTokenGrant(rp.config, tokens.refresh_token ?? '');
    assert.equal(refreshed.claims()?.[`${NS}login_locale`], 'fr');

    const again = rp.inNewBrowser();
    const marked = await signIn(again, user.username, { ...OFFLINE, ui_locales: 'it' });
    const markedTokens = await again.redeem(marked.callback, marked.pending);
    const markedRefresh = await new idp.stepup.store.oidcAdapter('RefreshToken').find(
      markedTokens.refresh_token ?? '',
    );
    assert.equal(markedRefresh?.customClaims, true);
    const rotated = await oidc.refreshTokenGrant(again.config, markedTokens.refresh_token ?? '');
    assert.equal(rotated.claims()?.[`${NS}login_locale`], 'it');
  });

  test('claims of one login do not leak into another client’s or another session’s tokens', async () => {
    const user = await newUser();
    const claims = await rpFor('claims');
    const first = await signIn(claims, user.username, { ...OFFLINE, ui_locales: 'fr' });
    const firstTokens = await claims.redeem(first.callback, first.pending);

    // Same browser session, another client: single sign-on, its own claims only.
    const other = (await rpFor('other')).inBrowser(claims.browser);
    const sso = await other.authorizationUrl({ ui_locales: 'de' });
    const otherIdToken = (await other.redeem(expectCallback(await other.open(sso)), sso)).claims();
    assert.equal(otherIdToken?.[`${NS}client`], 'other');
    assert.equal(otherIdToken?.[`${NS}login_locale`], 'de');
    assert.equal(otherIdToken?.[`${NS}dept`], undefined);

    // Another browser, the same client: its own login's claims.
    const elsewhere = claims.inNewBrowser();
    const second = await signIn(elsewhere, user.username, { ui_locales: 'it' });
    const secondIdToken = (await elsewhere.redeem(second.callback, second.pending)).claims();
    assert.equal(secondIdToken?.[`${NS}login_locale`], 'it');

    // The first session's refresh still has the first login's claims.
    const refreshed = await oidc.refreshTokenGrant(claims.config, firstTokens.refresh_token ?? '');
    assert.equal(refreshed.claims()?.[`${NS}login_locale`], 'fr');
    assert.equal(refreshed.claims()?.[`${NS}client`], 'claims');
  });

  test('a refresh runs the Actions: their claims land in the refreshed tokens, acr/amr/auth_time stay', async () => {
    const user = await newUser();
    const rp = await rpFor('claims');
    const { pending, callback } = await signIn(rp, user.username, {
      ...OFFLINE,
      scope: 'openid offline_access payroll:read',
      resource: API,
      ui_locales: 'fr',
    });
    const tokens = await rp.redeem(callback, pending);
    const refreshed = await oidc.refreshTokenGrant(rp.config, tokens.refresh_token ?? '');
    const idToken = refreshed.claims();
    assert.equal(idToken?.[`${NS}protocol`], 'oauth2-refresh-token');
    assert.equal(idToken?.[`${NS}login_locale`], 'fr', 'a claim set only at the login survives');
    assert.equal(idToken?.[`${NS}seen`], 1, 'the refresh saw the metadata the login wrote');
    assert.equal(idToken?.acr, tokens.claims()?.acr);
    assert.deepEqual(idToken?.amr, tokens.claims()?.amr);
    assert.equal(idToken?.auth_time, tokens.claims()?.auth_time);
    const accessToken = jose.decodeJwt(refreshed.access_token);
    assert.equal(accessToken[`${NS}protocol`], 'oauth2-refresh-token');
    assert.equal(accessToken[`${NS}level`], 3);
    assert.deepEqual(await idp.stepup.store.userMetadata.find(user.id), {
      appMetadata: { seen: 2 },
      userMetadata: { last_protocol: 'oauth2-refresh-token' },
    });
  });

  test('a denial or a failing Action at refresh is invalid_grant, issues nothing and keeps the refresh token', async () => {
    const user = await newUser();
    const rp = await rpFor('claims');
    const { pending, callback } = await signIn(rp, user.username, OFFLINE);
    const refreshToken = (await rp.redeem(callback, pending)).refresh_token ?? '';

    await idp.stepup.store.userMetadata.apply(user.id, {
      appMetadata: { block_refresh: true },
      userMetadata: {},
    });
    await assert.rejects(
      oidc.refreshTokenGrant(rp.config, refreshToken),
      isInvalidGrant('Refresh is blocked for this account.'),
    );
    assert.ok(
      events.some(
        (event) =>
          event.event === 'action.denied' &&
          event.userId === user.id &&
          event.protocol === 'oauth2-refresh-token' &&
          event.reason === 'Refresh is blocked for this account.',
      ),
    );
    await idp.stepup.store.userMetadata.apply(user.id, {
      appMetadata: { block_refresh: null, break_refresh: true },
      userMetadata: {},
    });
    await assert.rejects(
      oidc.refreshTokenGrant(rp.config, refreshToken),
      isInvalidGrant(ACTION_FAILED_REASON),
    );
    assert.ok(
      events.some(
        (event) =>
          event.event === 'action.failed' &&
          event.userId === user.id &&
          event.errorCode === 'action_threw' &&
          event.protocol === 'oauth2-refresh-token',
      ),
    );
    const seenBefore = (await idp.stepup.store.userMetadata.find(user.id))?.appMetadata.seen;
    assert.equal(seenBefore, 1, 'the refused refreshes wrote no metadata');

    // Nothing was consumed: once allowed again, the same refresh token works.
    await idp.stepup.store.userMetadata.apply(user.id, {
      appMetadata: { break_refresh: null },
      userMetadata: {},
    });
    const refreshed = await oidc.refreshTokenGrant(rp.config, refreshToken);
    assert.equal(refreshed.claims()?.sub, user.id);
  });

  test('MFA asked for at a refresh: refused unless the refresh token’s login had it, and not after its max age', async () => {
    const user = await newUser({ totp: true });
    const rp = await rpFor('mfa-on-refresh');
    const onePassword = await signIn(rp, user.username, OFFLINE);
    const oneFactor = await rp.redeem(onePassword.callback, onePassword.pending);
    await assert.rejects(
      oidc.refreshTokenGrant(rp.config, oneFactor.refresh_token ?? ''),
      isInvalidGrant(REFRESH_NEEDS_MFA),
    );

    const mfaRp = rp.inNewBrowser();
    const pending = await mfaRp.authorizationUrl({ ...OFFLINE, acr_values: ACR_MULTI_FACTOR });
    const login = expectPage(await mfaRp.open(pending));
    const challenge = expectPage(await submitPassword(mfaRp.browser, login.html, user.username, PASSWORD));
    const callback = expectCallback(
      await submitTotp(mfaRp.browser, challenge.html, totpCodeAt(TOTP_SECRET, time)),
    );
    const mfa = await mfaRp.redeem(callback, pending);
    const refreshed = await oidc.refreshTokenGrant(mfaRp.config, mfa.refresh_token ?? '');
    assert.equal(refreshed.claims()?.acr, ACR_MULTI_FACTOR);
    assert.deepEqual(refreshed.claims()?.amr, mfa.claims()?.amr);

    // The multi-factor level lasts 12 hours by default: after that, the refresh needs a new login.
    time += 13 * 3600;
    try {
      await assert.rejects(
        oidc.refreshTokenGrant(mfaRp.config, refreshed.refresh_token ?? ''),
        isInvalidGrant(REFRESH_NEEDS_MFA),
      );
    } finally {
      time -= 13 * 3600;
    }
  });

  test('metadata set by a denied login is not persisted', async () => {
    const user = await newUser();
    const rp = await rpFor('deny-after-metadata');
    const { callback } = await signIn(rp, user.username);
    assert.equal(callback.searchParams.get('error'), 'access_denied');
    assert.equal(callback.searchParams.get('error_description'), 'No access.');
    assert.deepEqual(await idp.stepup.store.userMetadata.find(user.id), {
      appMetadata: {},
      userMetadata: {},
    });
    assert.ok(
      events.some(
        (event) =>
          event.event === 'action.denied' &&
          event.action === 'claims-and-rules' &&
          event.reason === 'No access.' &&
          event.userId === user.id &&
          event.clientId === 'deny-after-metadata' &&
          event.protocol === 'oidc-basic-profile',
      ),
    );
  });
});
