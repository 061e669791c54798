/** Where oidc-provider's endpoints live; names as Auth0 and most SDK defaults expect them. */
export const PROVIDER_ROUTES = {
  authorization: '/authorize',
  token: '/oauth/token',
  userinfo: '/userinfo',
  jwks: '/.well-known/jwks.json',
  end_session: '/oidc/logout',
  revocation: '/oauth/revoke',
  introspection: '/oauth/introspect',
  pushed_authorization_request: '/oauth/par',
  registration: '/oidc/register',
  code_verification: '/device',
  device_authorization: '/oauth/device/code',
  backchannel_authentication: '/oauth/backchannel',
  challenge: '/oauth/challenge',
} as const;

const DISCOVERY = '/.well-known/openid-configuration';
const PREFIXES = [...Object.values(PROVIDER_ROUTES), DISCOVERY];

/** True for paths oidc-provider serves (its routes and the sub-paths they resume on). */
export function isProviderPath(pathname: string): boolean {
  return PREFIXES.some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`));
}
