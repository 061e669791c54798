import assert from 'node:assert/strict';
import { ACR_ONE_FACTOR } from '@stepup/core';
import type { StepupRp } from '../create-stepup-rp.ts';
import type { ForgingProvider } from './forging-provider.ts';

/**
 * One whole sign-in through `rp`'s routes: the login route at `loginPath`, then the callback with a
 * valid one-factor ID token for alice that `provider` signs. Resolves the callback's answer (a 303).
 */
export async function signInWithPasswordToken(
  rp: StepupRp,
  provider: ForgingProvider,
  options: { app: string; clientId: string; loginPath?: string },
): Promise<Response> {
  const login = (await rp.handle(
    new Request(`${options.app}${options.loginPath ?? '/auth/login'}`),
  )) as Response;
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
  const callback = (await rp.handle(
    new Request(`${options.app}/auth/callback?code=c&state=${state}`, { headers: { cookie: transaction } }),
  )) as Response;
  assert.equal(callback.status, 303);
  return callback;
}
