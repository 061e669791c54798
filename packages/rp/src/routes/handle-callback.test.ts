import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ACR_MULTI_FACTOR, ACR_ONE_FACTOR, acrTimeClaimName } from '@stepup/core';
import { createStepupRp, type StepupRp } from '../create-stepup-rp.ts';
import type { StepupRpError, StepupRpErrorCode } from '../errors.ts';
import { createMemorySessionStore } from '../session/session-store.ts';
import { type ForgingProvider, startForgingProvider } from '../testing/forging-provider.ts';

// Invariant 5 at the callback, against tokens forged by a provider on 127.0.0.1: each case breaks
// one thing and must be refused with its own code and status (or, for the controls, accepted).

const APP = 'http://127.0.0.1:4000';
const CLIENT_ID = 'salary';
const CLIENT_SECRET = 'salary-client-secret-0123456789abcdef';
const TRUSTED = 'https://trusted.example';
const SKEW = 30;

describe('the callback validates the ID token (forged by a fake provider)', () => {
  let provider: ForgingProvider;
  let rp: StepupRp;
  let offset = 0;
  const clock = () => Math.floor(Date.now() / 1000) + offset;
  const errors: StepupRpError[] = [];
  const lastCode = () => errors.at(-1)?.code;

  before(async () => {
    provider = await startForgingProvider();
    rp = await createStepupRp({
      issuer: provider.issuer,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      baseUrl: APP,
      sessionSecret: 'a session secret of at least thirty-two bytes',
      policies: {
        mfa: { amr: ['mfa'] },
        level: { acr: [ACR_MULTI_FACTOR] },
        recent: { maxAge: 60 },
        now: { maxAge: 0 },
      },
      trustedAudiences: [TRUSTED],
      allowInsecureRequests: true,
      clock,
      clockSkew: SKEW,
      onError: (error) => errors.push(error),
    });
  });
  after(() => provider.close());

  interface Started {
    state: string;
    nonce: string;
    cookie: string;
    location: URL;
  }

  async function startLogin(policy?: string): Promise<Started> {
    const response = policy
      ? await rp
          .requireStepUp(policy)(new Request(`${APP}/page`))
          .then((outcome) => {
            assert.equal(outcome.allowed, false);
            return outcome.allowed ? new Response() : outcome.response;
          })
      : ((await rp.handle(new Request(`${APP}/auth/login?returnTo=/page`))) as Response);
    assert.equal(response.status, 302);
    const location = new URL(response.headers.get('location') ?? '');
    const [cookie = ''] = (response.headers.get('set-cookie') ?? '').split(';');
    return {
      state: location.searchParams.get('state') ?? '',
      nonce: location.searchParams.get('nonce') ?? '',
      cookie,
      location,
    };
  }

  async function callback(
    started: Started,
    idToken: string | undefined,
    extraCookie = '',
  ): Promise<Response> {
    provider.tokenResponse = () => ({
      access_token: 'opaque-access-token',
      token_type: 'Bearer',
      expires_in: 300,
      ...(idToken === undefined ? {} : { id_token: idToken }),
    });
    const cookie = [started.cookie, extraCookie].filter(Boolean).join('; ');
    return (await rp.handle(
      new Request(`${APP}/auth/callback?code=test-code&state=${started.state}`, { headers: { cookie } }),
    )) as Response;
  }

  function claims(started: Started, overrides: Record<string, unknown> = {}): Record<string, unknown> {
    const now = clock();
    const base: Record<string, unknown> = {
      iss: provider.issuer,
      aud: CLIENT_ID,
      sub: 'alice',
      iat: now,
      exp: now + 300,
      nonce: started.nonce,
      auth_time: now - 10,
      acr: ACR_ONE_FACTOR,
      amr: ['pwd'],
    };
    for (const [name, value] of Object.entries(overrides)) {
      if (value === undefined) delete base[name];
      else base[name] = value;
    }
    return base;
  }

  /** The claims (auth_time 10 seconds before iat) with the provider's acr_time set from their iat. */
  function withAcrTime(
    started: Started,
    acrTime: (iat: number) => unknown,
    overrides: Record<string, unknown> = {},
  ): Record<string, unknown> {
    const base = claims(started, overrides);
    return { ...base, [acrTimeClaimName(provider.issuer)]: acrTime(base.iat as number) };
  }

  type Case = {
    name: string;
    policy?: string;
    token: (started: Started) => Promise<string> | string;
    status: number;
    code?: StepupRpErrorCode;
  };
  let replayedNonce = '';
  const cases: Case[] = [
    {
      name: 'a well-formed token is accepted (control)',
      token: (s) => provider.sign(claims(s)),
      status: 303,
    },
    { name: 'alg none', token: (s) => provider.signNone(claims(s)), status: 401, code: 'alg_not_allowed' },
    {
      name: 'HS256 signed with the RSA public key (algorithm confusion)',
      token: (s) => provider.signHmac(claims(s)),
      status: 401,
      code: 'alg_not_allowed',
    },
    {
      name: 'ES256 when RS256 is pinned',
      token: (s) => provider.sign(claims(s), { alg: 'ES256' }),
      status: 401,
      code: 'alg_not_allowed',
    },
    {
      name: 'signed by another key under a published kid',
      token: (s) => provider.sign(claims(s), { rogue: true }),
      status: 401,
      code: 'signature_invalid',
    },
    {
      name: 'wrong iss',
      token: (s) => provider.sign(claims(s, { iss: 'https://evil.example' })),
      status: 401,
      code: 'issuer_mismatch',
    },
    {
      name: 'iss with a trailing slash',
      token: (s) => provider.sign(claims(s, { iss: `${provider.issuer}/` })),
      status: 401,
      code: 'issuer_mismatch',
    },
    {
      name: 'wrong aud',
      token: (s) => provider.sign(claims(s, { aud: 'another-client' })),
      status: 401,
      code: 'audience_mismatch',
    },
    {
      name: 'aud with an untrusted stranger, even with azp',
      token: (s) => provider.sign(claims(s, { aud: [CLIENT_ID, 'stranger'], azp: CLIENT_ID })),
      status: 401,
      code: 'audience_mismatch',
    },
    {
      name: 'several audiences without azp',
      token: (s) => provider.sign(claims(s, { aud: [CLIENT_ID, TRUSTED] })),
      status: 401,
      code: 'azp_mismatch',
    },
    {
      name: 'azp naming another client',
      token: (s) => provider.sign(claims(s, { azp: 'another-client' })),
      status: 401,
      code: 'azp_mismatch',
    },
    {
      name: 'several trusted audiences with azp (control)',
      token: (s) => provider.sign(claims(s, { aud: [CLIENT_ID, TRUSTED], azp: CLIENT_ID })),
      status: 303,
    },
    {
      name: 'expired',
      token: (s) => provider.sign(claims(s, { exp: clock() - 60 })),
      status: 401,
      code: 'token_expired',
    },
    {
      name: 'expired but within the skew (control)',
      token: (s) => provider.sign(claims(s, { exp: clock() - 10 })),
      status: 303,
    },
    {
      name: 'not yet valid (nbf)',
      token: (s) => provider.sign(claims(s, { nbf: clock() + 120 })),
      status: 401,
      code: 'token_not_yet_valid',
    },
    {
      name: 'iat in the future',
      token: (s) => provider.sign(claims(s, { iat: clock() + 120 })),
      status: 401,
      code: 'issued_in_future',
    },
    {
      name: 'iat as a fraction',
      token: (s) => provider.sign(claims(s, { iat: clock() + 0.5 })),
      status: 401,
      code: 'claim_invalid',
    },
    {
      name: 'exp as a string',
      token: (s) => provider.sign(claims(s, { exp: String(clock() + 300) })),
      status: 401,
      code: 'claim_invalid',
    },
    {
      name: 'no nonce',
      token: (s) => provider.sign(claims(s, { nonce: undefined })),
      status: 401,
      code: 'nonce_mismatch',
    },
    {
      name: 'a nonce replayed from an earlier sign-in',
      token: (s) => provider.sign(claims(s, { nonce: replayedNonce })),
      status: 401,
      code: 'nonce_mismatch',
    },
    {
      name: 'amr as a string',
      token: (s) => provider.sign(claims(s, { amr: 'mfa' })),
      status: 401,
      code: 'claim_invalid',
    },
    {
      name: 'amr with a non-string',
      token: (s) => provider.sign(claims(s, { amr: ['pwd', 1] })),
      status: 401,
      code: 'claim_invalid',
    },
    {
      name: 'acr as a number',
      token: (s) => provider.sign(claims(s, { acr: 2 })),
      status: 401,
      code: 'claim_invalid',
    },
    {
      name: '"nomfa" is not mfa',
      policy: 'mfa',
      token: (s) => provider.sign(claims(s, { amr: ['nomfa', 'pwd'] })),
      status: 403,
      code: 'step_up_unmet',
    },
    {
      name: 'acr lower than requested',
      policy: 'level',
      token: (s) => provider.sign(claims(s, { acr: ACR_ONE_FACTOR, amr: ['mfa', 'otp', 'pwd'] })),
      status: 403,
      code: 'step_up_unmet',
    },
    {
      name: 'acr as requested (control)',
      policy: 'level',
      token: (s) => provider.sign(claims(s, { acr: ACR_MULTI_FACTOR })),
      status: 303,
    },
    {
      name: 'auth_time missing although max_age was sent',
      policy: 'recent',
      token: (s) => provider.sign(claims(s, { auth_time: undefined })),
      status: 401,
      code: 'auth_time_missing',
    },
    {
      name: 'auth_time older than max_age',
      policy: 'recent',
      token: (s) => provider.sign(claims(s, { auth_time: clock() - 120 })),
      status: 401,
      code: 'authentication_too_old',
    },
    {
      name: 'max_age=0 tolerates an auth_time a few seconds old (control)',
      policy: 'now',
      token: (s) => provider.sign(claims(s, { auth_time: clock() - 3 })),
      status: 303,
    },
    {
      name: 'auth_time as a string',
      token: (s) => provider.sign(claims(s, { auth_time: '1700000000' })),
      status: 401,
      code: 'claim_invalid',
    },
    {
      name: 'acr_time between auth_time and iat (control)',
      token: (s) => provider.sign(withAcrTime(s, (iat) => iat - 5)),
      status: 303,
    },
    {
      name: 'acr_time equal to iat plus the skew (control)',
      token: (s) => provider.sign(withAcrTime(s, (iat) => iat + SKEW)),
      status: 303,
    },
    {
      name: 'acr_time as a string',
      token: (s) => provider.sign(withAcrTime(s, (iat) => String(iat - 5))),
      status: 401,
      code: 'claim_invalid',
    },
    {
      name: 'acr_time not an integer',
      token: (s) => provider.sign(withAcrTime(s, (iat) => iat - 5.5)),
      status: 401,
      code: 'claim_invalid',
    },
    {
      name: 'acr_time before auth_time',
      token: (s) => provider.sign(withAcrTime(s, (iat) => iat - 11)),
      status: 401,
      code: 'claim_invalid',
    },
    {
      name: 'acr_time after iat plus the skew',
      token: (s) => provider.sign(withAcrTime(s, (iat) => iat + SKEW + 1)),
      status: 401,
      code: 'claim_invalid',
    },
    {
      name: 'acr_time without auth_time',
      token: (s) => provider.sign(withAcrTime(s, (iat) => iat - 5, { auth_time: undefined })),
      status: 401,
      code: 'claim_invalid',
    },
    {
      name: 'an oversized token is refused before parsing',
      token: () => `${'a'.repeat(20_000)}`,
      status: 401,
      code: 'token_too_large',
    },
    { name: 'not a JWT', token: () => 'not.a.jwt', status: 401, code: 'token_malformed' },
    { name: 'no ID token at all', token: () => '', status: 502, code: 'id_token_missing' },
  ];

  for (const item of cases) {
    test(`${item.name}: ${item.code ?? 'accepted'} (${item.status})`, async () => {
      const started = await startLogin(item.policy);
      if (item.name.startsWith('a nonce replayed')) {
        const earlier = await startLogin();
        assert.equal((await callback(earlier, await provider.sign(claims(earlier)))).status, 303);
        replayedNonce = earlier.nonce;
      }
      const token = await item.token(started);
      const before = errors.length;
      const response = await callback(started, token === '' ? undefined : token);
      assert.equal(response.status, item.status);
      if (item.code === undefined) {
        assert.equal(errors.length, before, `unexpected error ${lastCode()}`);
        assert.equal(response.headers.get('location'), `${APP}/page`);
      } else {
        assert.equal(lastCode(), item.code);
        assert.equal(response.headers.get('location'), null, 'a refusal never redirects');
        // The transaction cookie is cleared either way.
        assert.ok(
          response.headers.getSetCookie().some((line) => line.startsWith(`stepup.tx.${started.state}=;`)),
        );
      }
    });
  }

  test('an unknown kid causes one JWKS refetch, then refusal; a flood of unknown kids does not fetch again', async () => {
    offset += 31; // past the key set's 30-second cooldown since the keys were loaded
    const fetchesBefore = provider.jwksFetches;
    const started = await startLogin();
    const response = await callback(started, await provider.sign(claims(started), { kid: 'rotated-away' }));
    assert.equal(response.status, 401);
    assert.equal(lastCode(), 'key_not_found');
    assert.equal(provider.jwksFetches, fetchesBefore + 1);
    for (let index = 0; index < 25; index++) {
      const flood = await startLogin();
      await callback(flood, await provider.sign(claims(flood), { kid: `unknown-${index}` }));
      assert.equal(lastCode(), 'key_not_found');
    }
    assert.equal(provider.jwksFetches, fetchesBefore + 1);
  });

  test('a replayed callback is refused, and a callback without its transaction cookie too', async () => {
    const started = await startLogin();
    const token = await provider.sign(claims(started));
    assert.equal((await callback(started, token)).status, 303);
    const replay = await callback(started, token);
    assert.equal(replay.status, 400);
    assert.equal(lastCode(), 'transaction_replayed');
    const other = await startLogin();
    const missing = await callback({ ...other, cookie: '' }, await provider.sign(claims(other)));
    assert.equal(missing.status, 400);
    assert.equal(lastCode(), 'transaction_missing');
    const swapped = await callback({ ...other, cookie: started.cookie }, await provider.sign(claims(other)));
    assert.equal(swapped.status, 400, 'a transaction cookie only serves its own state');
    assert.equal(lastCode(), 'transaction_missing');
  });

  test('the provider refusing the code is token_request_failed (502)', async () => {
    const started = await startLogin();
    provider.tokenResponse = () => ({ error: 'invalid_grant', error_description: 'code already used' });
    const response = (await rp.handle(
      new Request(`${APP}/auth/callback?code=used&state=${started.state}`, {
        headers: { cookie: started.cookie },
      }),
    )) as Response;
    assert.equal(response.status, 502);
    assert.equal(lastCode(), 'token_request_failed');
  });

  test('the provider refusing the client secret is client_authentication_failed (500), saying invalid_client', async () => {
    const started = await startLogin();
    provider.tokenResponse = () => ({
      error: 'invalid_client',
      error_description: 'client authentication failed',
    });
    const response = (await rp.handle(
      new Request(`${APP}/auth/callback?code=any&state=${started.state}`, {
        headers: { cookie: started.cookie },
      }),
    )) as Response;
    assert.equal(response.status, 500);
    assert.equal(lastCode(), 'client_authentication_failed');
    assert.match(errors.at(-1)?.detail ?? '', /^invalid_client: client authentication failed/);
  });

  test('the callback sends PKCE and the registered redirect_uri, and authenticates the client', async () => {
    const started = await startLogin();
    await callback(started, await provider.sign(claims(started)));
    const request = provider.tokenRequests.at(-1);
    assert.equal(request?.get('grant_type'), 'authorization_code');
    assert.equal(request?.get('redirect_uri'), `${APP}/auth/callback`);
    assert.match(request?.get('code_verifier') ?? '', /^[\w-]{43}$/);
    assert.equal(started.location.searchParams.get('code_challenge_method'), 'S256');
  });

  async function signedIn(idClaims: (started: Started) => Record<string, unknown>) {
    const started = await startLogin();
    const response = await callback(started, await provider.sign(idClaims(started)));
    assert.equal(response.status, 303);
    const cookie = response.headers
      .getSetCookie()
      .filter((line) => line.startsWith('stepup') && !line.startsWith('stepup.tx.'))
      .map((line) => line.split(';')[0])
      .join('; ');
    return { cookie, request: new Request(`${APP}/page`, { headers: { cookie } }) };
  }

  async function signedInWithRefreshToken(context: Record<string, unknown>) {
    const started = await startLogin();
    provider.tokenResponse = async () => ({
      access_token: 'at-1',
      token_type: 'Bearer',
      expires_in: 300,
      refresh_token: 'rt-1',
      id_token: await provider.sign(claims(started, context)),
    });
    const login = (await rp.handle(
      new Request(`${APP}/auth/callback?code=c&state=${started.state}`, {
        headers: { cookie: started.cookie },
      }),
    )) as Response;
    assert.equal(login.status, 303);
    const cookie = login.headers
      .getSetCookie()
      .filter((line) => !line.startsWith('stepup.tx.'))
      .map((line) => line.split(';')[0])
      .join('; ');
    return { started, request: new Request(`${APP}/page`, { headers: { cookie } }) };
  }

  test('the session says when the level was reached as acr_time, not among the other claims', async () => {
    const at = clock() - 100;
    const claimName = acrTimeClaimName(provider.issuer);
    const { request } = await signedInWithRefreshToken({ auth_time: at, [claimName]: at + 30 });
    const session = await rp.getSession(request);
    assert.equal(session?.auth_time, at);
    assert.equal(session?.acr_time, at + 30);
    assert.equal(Object.hasOwn(session?.claims ?? {}, claimName), false);

    // Another provider sends none: the session has none either.
    const { request: other } = await signedInWithRefreshToken({ auth_time: at });
    assert.equal((await rp.getSession(other))?.acr_time, undefined);
  });

  test('refresh updates the tokens but never upgrades the authentication context', async () => {
    const at = clock() - 100;
    const { started, request } = await signedInWithRefreshToken({
      acr: ACR_ONE_FACTOR,
      amr: ['pwd'],
      auth_time: at,
    });
    provider.tokenResponse = async () => ({
      access_token: 'at-2',
      token_type: 'Bearer',
      expires_in: 600,
      refresh_token: 'rt-2',
      id_token: await provider.sign(
        claims(started, {
          nonce: undefined,
          acr: ACR_MULTI_FACTOR,
          amr: ['mfa', 'otp', 'pwd'],
          auth_time: clock(),
        }),
      ),
    });
    const refreshed = await rp.refresh(request);
    assert.equal(provider.tokenRequests.at(-1)?.get('grant_type'), 'refresh_token');
    assert.equal(provider.tokenRequests.at(-1)?.get('refresh_token'), 'rt-1');
    assert.equal(refreshed.session.accessToken, 'at-2');
    assert.equal(refreshed.session.refreshToken, 'rt-2');
    assert.equal(refreshed.session.accessTokenExpiresAt, clock() + 600);
    assert.equal(refreshed.session.acr, ACR_ONE_FACTOR);
    assert.deepEqual(refreshed.session.amr, ['pwd']);
    assert.equal(refreshed.session.auth_time, at);
    assert.ok(refreshed.setCookies.some((line) => line.startsWith('stepup=')));
  });

  test('refresh keeps the step-up when the provider drops amr (Auth0), and refuses tokens for someone else', async () => {
    const at = clock() - 100;
    const { started, request } = await signedInWithRefreshToken({
      acr: ACR_MULTI_FACTOR,
      amr: ['mfa', 'otp', 'pwd'],
      auth_time: at,
    });
    provider.tokenResponse = async () => ({
      access_token: 'at-2',
      token_type: 'Bearer',
      id_token: await provider.sign(
        claims(started, { nonce: undefined, acr: ACR_ONE_FACTOR, amr: undefined }),
      ),
    });
    const refreshed = await rp.refresh(request);
    assert.equal(refreshed.session.acr, ACR_MULTI_FACTOR);
    assert.deepEqual(refreshed.session.amr, ['mfa', 'otp', 'pwd']);
    assert.equal(refreshed.session.refreshToken, 'rt-1', 'kept when the provider does not rotate it');

    provider.tokenResponse = async () => ({
      access_token: 'at-3',
      token_type: 'Bearer',
      id_token: await provider.sign(claims(started, { nonce: undefined, sub: 'mallory' })),
    });
    await assert.rejects(rp.refresh(request), { code: 'subject_mismatch' });
    await assert.rejects(rp.refresh(new Request(`${APP}/page`)), { code: 'session_missing' });
  });

  // The forged-token table again, answering a refresh (OIDC Core 12.2: the new ID token is validated
  // like the first). Left out: the policy cases (a refresh never changes the authentication context),
  // the nonce cases (a refreshed ID token carries none) and "no ID token" (a refresh may omit it).
  const refreshCases = cases.filter(
    (item) => item.policy === undefined && !/nonce|no ID token/.test(item.name),
  );
  for (const item of refreshCases) {
    test(`refresh answered with ${item.name}: ${item.code ?? 'accepted'}, the session ${item.code ? 'unchanged' : 'updated'}`, async () => {
      const { started, request } = await signedInWithRefreshToken({});
      const session = await rp.getSession(request);
      assert.equal(session?.accessToken, 'at-1');
      const idToken = await item.token(started);
      provider.tokenResponse = () => ({
        access_token: 'at-forged',
        token_type: 'Bearer',
        refresh_token: 'rt-forged',
        id_token: idToken,
      });
      if (item.code === undefined) {
        const refreshed = await rp.refresh(request);
        const cookie = refreshed.setCookies.map((line) => line.split(';')[0]).join('; ');
        const stored = await rp.getSession(new Request(`${APP}/page`, { headers: { cookie } }));
        assert.equal(stored?.accessToken, 'at-forged');
        assert.equal(stored?.idToken, idToken);
      } else {
        await assert.rejects(rp.refresh(request), { code: item.code });
        assert.deepEqual(await rp.getSession(request), session);
      }
      assert.equal(provider.tokenRequests.at(-1)?.get('grant_type'), 'refresh_token');
    });
  }

  test('silent authentication without amr keeps the step-up of the same authentication, and only of it', async () => {
    const mfaAt = clock() - 50;
    const first = await signedIn((s) =>
      claims(s, { acr: ACR_MULTI_FACTOR, amr: ['mfa', 'otp', 'pwd'], auth_time: mfaAt }),
    );
    const started = await startLogin();
    const same = await callback(
      started,
      await provider.sign(claims(started, { acr: undefined, amr: undefined, auth_time: mfaAt })),
      first.cookie,
    );
    const cookieOf = (response: Response) =>
      response.headers
        .getSetCookie()
        .filter((l) => !l.startsWith('stepup.tx.'))
        .map((l) => l.split(';')[0])
        .join('; ');
    const kept = await rp.getSession(new Request(`${APP}/`, { headers: { cookie: cookieOf(same) } }));
    assert.deepEqual(kept?.amr, ['mfa', 'otp', 'pwd']);
    assert.equal(kept?.acr, ACR_MULTI_FACTOR);

    const later = await startLogin();
    const newer = await callback(
      later,
      await provider.sign(claims(later, { acr: undefined, amr: undefined, auth_time: clock() })),
      first.cookie,
    );
    const fresh = await rp.getSession(new Request(`${APP}/`, { headers: { cookie: cookieOf(newer) } }));
    assert.equal(fresh?.amr, undefined, 'a new authentication does not inherit the old one');
    assert.equal(fresh?.acr, undefined);
  });

  test('a large session is split over several cookies and read back whole', async () => {
    const big = 'x'.repeat(9000);
    const { cookie } = await signedIn((s) => claims(s, { groups: big }));
    assert.ok(cookie.includes('stepup.0=') && cookie.includes('stepup.2='), 'three chunks');
    const session = await rp.getSession(new Request(`${APP}/`, { headers: { cookie } }));
    assert.equal(session?.claims.groups, big);
    const small = await signedIn((s) => claims(s));
    assert.ok(small.cookie.startsWith('stepup='));
  });

  test('with a server-side session store the cookie holds only an id, replaced at every sign-in and gone at logout', async () => {
    const store = createMemorySessionStore({ clock });
    const storeRp = await createStepupRp({
      issuer: provider.issuer,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      baseUrl: APP,
      sessionSecret: 'a session secret of at least thirty-two bytes',
      sessionStore: store,
      allowInsecureRequests: true,
      clock,
    });
    const signIn = async (cookie = '') => {
      const login = (await storeRp.handle(new Request(`${APP}/auth/login`))) as Response;
      const location = new URL(login.headers.get('location') ?? '');
      const started: Started = {
        state: location.searchParams.get('state') ?? '',
        nonce: location.searchParams.get('nonce') ?? '',
        cookie: (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '',
        location,
      };
      const idToken = await provider.sign(claims(started, { groups: 'x'.repeat(9000) }));
      provider.tokenResponse = () => ({ access_token: 'a', token_type: 'Bearer', id_token: idToken });
      const response = (await storeRp.handle(
        new Request(`${APP}/auth/callback?code=c&state=${started.state}`, {
          headers: { cookie: [started.cookie, cookie].filter(Boolean).join('; ') },
        }),
      )) as Response;
      assert.equal(response.status, 303);
      return response.headers
        .getSetCookie()
        .filter((line) => line.startsWith('stepup='))
        .map((line) => line.split(';')[0])
        .join('; ');
    };
    const first = await signIn();
    assert.ok(first.length < 1000, 'no chunks: the large session stays on the server');
    const session = await storeRp.getSession(new Request(`${APP}/`, { headers: { cookie: first } }));
    assert.equal(session?.sub, 'alice');
    const second = await signIn(first);
    assert.notEqual(second, first);
    assert.equal(
      await storeRp.getSession(new Request(`${APP}/`, { headers: { cookie: first } })),
      undefined,
      'the old id is gone',
    );
    const logout = (await storeRp.handle(
      new Request(`${APP}/auth/logout`, { method: 'POST', headers: { cookie: second } }),
    )) as Response;
    assert.equal(logout.status, 303);
    const endSession = new URL(logout.headers.get('location') ?? '');
    assert.equal(endSession.origin + endSession.pathname, `${provider.issuer}/logout`);
    assert.equal(endSession.searchParams.get('post_logout_redirect_uri'), `${APP}/`);
    assert.equal(
      await storeRp.getSession(new Request(`${APP}/`, { headers: { cookie: second } })),
      undefined,
    );
  });

  test('an ID token signed with the client secret is accepted only by a client pinned to HS256', async () => {
    const hsRp = await createStepupRp({
      issuer: provider.issuer,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      baseUrl: APP,
      sessionSecret: 'a session secret of at least thirty-two bytes',
      idTokenSigningAlg: 'HS256',
      allowInsecureRequests: true,
      clock,
      onError: (error) => errors.push(error),
    });
    const fetchesBefore = provider.jwksFetches;
    for (const [token, status, code] of [
      [(s: Started) => provider.signHmac(claims(s), CLIENT_SECRET), 303, undefined],
      [(s: Started) => provider.sign(claims(s)), 401, 'alg_not_allowed'],
      [(s: Started) => provider.signHmac(claims(s)), 401, 'signature_invalid'],
      [(s: Started) => provider.signNone(claims(s)), 401, 'alg_not_allowed'],
    ] as const) {
      const login = (await hsRp.handle(new Request(`${APP}/auth/login`))) as Response;
      const location = new URL(login.headers.get('location') ?? '');
      const started: Started = {
        state: location.searchParams.get('state') ?? '',
        nonce: location.searchParams.get('nonce') ?? '',
        cookie: (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '',
        location,
      };
      const idToken = await token(started);
      provider.tokenResponse = () => ({ access_token: 'a', token_type: 'Bearer', id_token: idToken });
      const before = errors.length;
      const response = (await hsRp.handle(
        new Request(`${APP}/auth/callback?code=c&state=${started.state}`, {
          headers: { cookie: started.cookie },
        }),
      )) as Response;
      assert.equal(response.status, status);
      assert.equal(errors.length > before ? lastCode() : undefined, code);
    }
    assert.equal(provider.jwksFetches, fetchesBefore, 'an HS256 client never looks at the JWKS');
  });
});
