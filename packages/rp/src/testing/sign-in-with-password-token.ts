import assert from 'node:assert/strict';
import { ACR_ONE_FACTOR } from '@stepup/core';
import type { StepupRp } from '../create-stepup-rp.ts';
import type { ForgingProvider } from './forging-provider.ts';

/** Where the sign-in's requests go: an SDK instance directly, or an application over HTTP. */
export type RequestSender = StepupRp | ((request: Request) => Promise<Response>);

/**
 * One whole sign-in through the application's routes: the login route at `loginPath`, then the
 * callback with a valid one-factor ID token for alice that `provider` signs. Resolves the callback's
 * answer (a 303).
 */
export async function signInWithPasswordToken(
  app: RequestSender,
  provider: ForgingProvider,
  options: { app: string; clientId: string; loginPath?: string },
): Promise<Response> {
  const send = async (request: Request): Promise<Response> => {
    const response = typeof app === 'function' ? await app(request) : await app.handle(request);
    assert.ok(response, `no answer for ${request.url}`);
    return response;
  };
  const login = await send(new Request(`${options.app}${options.loginPath ?? '/auth/login'}`));
  assert.equal(login.status, 302);
  const authorize = new URL(login.headers.get('location') ?? '');
  const [transaction = ''] = (login.headers.get('set-cookie') ?? '').split(';');
  const now = Math.floor(Date.now() / 1000);
  const idToken = await provider.sign({
    iss: provider.issuer,
    aud: options.clientId,
    sub: 'alice',
    iat: now,
    exp: now + 300,
    nonce: authorize.searchParams.get('nonce'),
    auth_time: now,
    acr: ACR_ONE_FACTOR,
    amr: ['pwd'],
  });
  provider.tokenResponse = () => ({ access_token: 'opaque', token_type: 'Bearer', id_token: idToken });
  const state = authorize.searchParams.get('state') ?? '';
  const callback = await send(
    new Request(`${options.app}/auth/callback?code=c&state=${state}`, { headers: { cookie: transaction } }),
  );
  assert.equal(callback.status, 303);
  return callback;
}
