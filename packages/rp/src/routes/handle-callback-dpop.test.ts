import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { calculateJwkThumbprint, decodeJwt, decodeProtectedHeader, type JWK } from 'jose';
import { createStepupRp, type StepupRp } from '../create-stepup-rp.ts';
import type { StepupRpError } from '../errors.ts';
import { createMemorySessionStore } from '../session/session-store.ts';
import { type ForgingProvider, startForgingProvider } from '../testing/forging-provider.ts';

// The callback and refresh with dpop on: the code is redeemed with a proof from a key made for the new
// session, the session keeps that key, refreshes prove with it, and a provider that answers with a
// Bearer token (ignoring the proof) is refused.

const APP = 'http://127.0.0.1:4000';
const CLIENT_ID = 'salary';

describe('callback and refresh with DPoP', () => {
  let provider: ForgingProvider;
  let rp: StepupRp;
  const errors: StepupRpError[] = [];
  /** The DPoP header of every token request. */
  const proofs: (string | null)[] = [];

  before(async () => {
    provider = await startForgingProvider();
    rp = await createStepupRp({
      issuer: provider.issuer,
      clientId: CLIENT_ID,
      clientSecret: 'salary-client-secret-0123456789abcdef',
      baseUrl: APP,
      sessionSecret: 'a session secret of at least thirty-two bytes',
      sessionStore: createMemorySessionStore(),
      dpop: {},
      allowInsecureRequests: true,
      onError: (error) => errors.push(error),
      fetch: async (input, init) => {
        if (new URL(String(input)).pathname.endsWith('/token'))
          proofs.push(new Headers(init?.headers).get('dpop'));
        return fetch(input, init);
      },
    });
  });
  after(() => provider.close());

  async function signIn(tokenType: string): Promise<Response> {
    const started = (await rp.handle(new Request(`${APP}/auth/login?returnTo=/page`))) as Response;
    const location = new URL(started.headers.get('location') ?? '');
    const [cookie = ''] = (started.headers.get('set-cookie') ?? '').split(';');
    const now = Math.floor(Date.now() / 1000);
    const idToken = await provider.sign({
      iss: provider.issuer,
      aud: CLIENT_ID,
      sub: 'alice',
      iat: now,
      exp: now + 300,
      nonce: location.searchParams.get('nonce'),
      auth_time: now,
    });
    provider.tokenResponse = () => ({
      access_token: 'bound-access-token',
      token_type: tokenType,
      expires_in: 300,
      refresh_token: 'bound-refresh-token',
      id_token: idToken,
    });
    return (await rp.handle(
      new Request(`${APP}/auth/callback?code=c&state=${location.searchParams.get('state')}`, {
        headers: { cookie },
      }),
    )) as Response;
  }

  test('the code is redeemed with a proof from the session key; refresh proves with the same key', async () => {
    const response = await signIn('DPoP');
    assert.equal(response.status, 303, String(errors.at(-1)?.detail));
    const cookie = response.headers
      .getSetCookie()
      .filter((value) => !value.startsWith('stepup.tx.'))
      .map((value) => value.split(';')[0])
      .join('; ');
    const session = await rp.getSession(new Request(`${APP}/page`, { headers: { cookie } }));
    const key = session?.dpopKey as JWK;
    assert.equal(key.alg, 'ES256');
    assert.equal(typeof key.d, 'string');
    const redeemProof = proofs.at(-1) ?? '';
    const header = decodeProtectedHeader(redeemProof);
    assert.equal(header.typ, 'dpop+jwt');
    assert.equal(await calculateJwkThumbprint(header.jwk as JWK), await calculateJwkThumbprint(key));
    assert.equal(decodeJwt(redeemProof).htm, 'POST');

    await rp.refresh(new Request(`${APP}/page`, { headers: { cookie } }));
    const refreshProof = proofs.at(-1) ?? '';
    assert.notEqual(refreshProof, redeemProof);
    assert.equal(
      await calculateJwkThumbprint(decodeProtectedHeader(refreshProof).jwk as JWK),
      await calculateJwkThumbprint(key),
    );
    assert.equal(provider.tokenRequests.at(-1)?.get('grant_type'), 'refresh_token');
  });

  test('each new session gets a new key', async () => {
    await signIn('DPoP');
    const first = decodeProtectedHeader(proofs.at(-1) ?? '').jwk as JWK;
    await signIn('DPoP');
    const second = decodeProtectedHeader(proofs.at(-1) ?? '').jwk as JWK;
    assert.notEqual(await calculateJwkThumbprint(first), await calculateJwkThumbprint(second));
  });

  test('a provider that answers Bearer to a DPoP request: no session, token_request_failed', async () => {
    const response = await signIn('Bearer');
    assert.notEqual(response.status, 303);
    assert.deepEqual(
      response.headers.getSetCookie().filter((value) => !value.startsWith('stepup.tx.')),
      [],
      'no session cookie',
    );
    assert.equal(errors.at(-1)?.code, 'token_request_failed');
    assert.match(errors.at(-1)?.detail ?? '', /token_type bearer/);
  });
});
