import { ACR_MULTI_FACTOR } from '@stepup/core';
import { ALLOWED_SCOPES_METADATA, managementApiIdentifier } from '../admin/management-api-identity.ts';
import { totpCodeAt } from '../factors/totp/totp.ts';
import { ADMIN_ROLE } from '../store/user-management.ts';
import type { TestProvider } from './test-provider.ts';
import {
  expectCallback,
  expectPage,
  submitPassword,
  submitTotp,
  TestRelyingParty,
} from './test-relying-party.ts';

/**
 * Registers a machine client (client_credentials) allowed `scopes` for one API (default: the
 * management API), and gets an access token for that API from the provider's token endpoint, as a
 * script would.
 */
export async function machineToken(
  idp: TestProvider,
  clientId: string,
  allowed: readonly string[],
  requested: readonly string[] = allowed,
  resource: string = managementApiIdentifier(idp.issuer),
): Promise<string> {
  const secret = `${clientId}-secret-0123456789abcdefghijkl`;
  await idp.addClient({
    client_id: clientId,
    client_secret: secret,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    [ALLOWED_SCOPES_METADATA]: { [resource]: [...allowed] },
  });
  const response = await fetch(`${idp.issuer}/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      resource,
      scope: requested.join(' '),
    }),
  });
  const body = (await response.json()) as { access_token?: string; error?: string };
  if (!body.access_token) throw new Error(`no access token: ${response.status} ${JSON.stringify(body)}`);
  return body.access_token;
}

/** A person with a password and TOTP, optionally an operator (admin role). */
export async function addPerson(
  idp: TestProvider,
  username: string,
  options: { admin: boolean; password: string; totpSecret: string },
): Promise<string> {
  const user = await idp.addUser(username, options.password);
  await idp.importTotp(user.id, options.totpSecret);
  if (options.admin) await idp.stepup.store.userManagement.update(user.id, { roles: [ADMIN_ROLE] });
  return user.id;
}

/**
 * Signs a person in through the code flow with password and TOTP (multi-factor), as the dashboard
 * does, and returns the access token for the management API. `clientId` is a public client allowed
 * the management scopes. Each call needs a new TOTP time step: move `clock` 30 s between calls.
 */
export async function personToken(
  idp: TestProvider,
  options: {
    clientId: string;
    username: string;
    password: string;
    totpSecret: string;
    clock: () => number;
    scopes: readonly string[];
  },
): Promise<string> {
  const rp = await TestRelyingParty.discover(idp.issuer, options.clientId, {
    token_endpoint_auth_method: 'none',
  });
  const login = await rp.authorizationUrl({
    acr_values: ACR_MULTI_FACTOR,
    resource: managementApiIdentifier(idp.issuer),
    scope: ['openid', ...options.scopes].join(' '),
  });
  const page = expectPage(await rp.open(login));
  const totp = expectPage(await submitPassword(rp.browser, page.html, options.username, options.password));
  const callback = expectCallback(
    await submitTotp(rp.browser, totp.html, totpCodeAt(options.totpSecret, options.clock())),
  );
  const tokens = await rp.redeem(callback, login);
  return tokens.access_token;
}
