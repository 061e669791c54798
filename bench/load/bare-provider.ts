/**
 * The baseline of the load benchmark: `oidc-provider` alone, over the same storage as Stepup (the
 * store's oidc-provider adapter and client registry), with the same protocol settings (code flow,
 * rotating refresh tokens, RS256 ID tokens, client_secret_basic, accounts read from the store) and
 * none of Stepup's additions: no step-up check, no Actions, no login pages — its interaction signs
 * the bench account in at once.
 *
 * Started as a process by bench/load.ts with BENCH_ISSUER, BENCH_PORT, BENCH_ACCOUNT_ID,
 * BENCH_PROVIDER_KEYS (JSON: {jwks, cookieKeys}) and the storage variables of the provider itself
 * (STEPUP_DATA_DIR or STEPUP_DATABASE_URL).
 */

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';
import { loadConfig } from '../../packages/idp/src/config/load-config.ts';
import { loadSecretKeyring } from '../../packages/idp/src/crypto/load-secret-keyring.ts';
import {
  SECRET_DIGEST_METADATA,
  withClientSecretsShown,
} from '../../packages/idp/src/oidc/client-secret-view.ts';
import { loadProviderKeys } from '../../packages/idp/src/oidc/provider-keys.ts';
import { PROVIDER_ROUTES } from '../../packages/idp/src/oidc/provider-routes.ts';
import { verifyClientSecrets } from '../../packages/idp/src/oidc/verify-client-secret.ts';
import { openStore } from '../../packages/idp/src/store/open-store.ts';
import { ClientSecretThrottle } from '../../packages/idp/src/throttle/client-secret-throttle.ts';

const issuer = required('BENCH_ISSUER');
const port = Number(required('BENCH_PORT'));
const accountId = required('BENCH_ACCOUNT_ID');
const keys = JSON.parse(required('BENCH_PROVIDER_KEYS')) as {
  jwks: { keys: object[] };
  cookieKeys: string[];
};

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

const config = loadConfig(process.env);
const store = await openStore(config);

async function grantEverythingRequested(ctx: KoaContextWithOIDC) {
  const { oidc } = ctx;
  if (!oidc.session?.accountId || !oidc.client) return undefined;
  const grant = new oidc.provider.Grant({
    accountId: oidc.session.accountId,
    clientId: oidc.client.clientId,
  });
  grant.addOIDCScope([...(oidc.requestParamOIDCScopes ?? [])].join(' '));
  await grant.save();
  return grant;
}

const { secretBox } = await loadProviderKeys(store, loadSecretKeyring(config).keyring);

const provider = new Provider(issuer, {
  // The registry keeps client secrets hashed: read and checked as Stepup does (oidc/verify-client-secret.ts).
  adapter: withClientSecretsShown(store.oidcAdapter, secretBox),
  // A real deployment reads the account from its storage, as Stepup does.
  findAccount: async (_ctx, sub) => {
    const user = await store.users.findById(sub);
    return user ? { accountId: user.id, claims: () => ({ sub: user.id }) } : undefined;
  },
  claims: { openid: ['sub'] },
  // The digest of a hashed secret, which the secret check compares with (as Stepup declares it).
  extraClientMetadata: { properties: [SECRET_DIGEST_METADATA] },
  clientDefaults: {
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    id_token_signed_response_alg: 'RS256',
    token_endpoint_auth_method: 'client_secret_basic',
  },
  jwks: keys.jwks as never,
  cookies: {
    keys: keys.cookieKeys,
    long: { signed: true, httpOnly: true, sameSite: 'lax' },
    short: { signed: true, httpOnly: true, sameSite: 'lax' },
  },
  features: { devInteractions: { enabled: false }, revocation: { enabled: true } },
  pkce: { required: (_ctx, client) => client.clientAuthMethod === 'none' },
  responseTypes: ['code'],
  routes: PROVIDER_ROUTES,
  rotateRefreshToken: true,
  loadExistingGrant: grantEverythingRequested,
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  ttl: {
    AccessToken: config.ttl.accessToken,
    AuthorizationCode: config.ttl.authorizationCode,
    IdToken: config.ttl.idToken,
    Interaction: config.ttl.interaction,
    Session: config.ttl.session,
    Grant: config.ttl.refreshToken,
    RefreshToken: config.ttl.refreshToken,
  },
});
verifyClientSecrets(provider, {
  throttle: new ClientSecretThrottle(store.attempts, config),
  clock: () => Math.floor(Date.now() / 1000),
});

/** Signs the bench account in and grants what the application asked for, with no page. */
async function signIn(req: IncomingMessage, res: ServerResponse) {
  const { params } = await provider.interactionDetails(req, res);
  const grant = new provider.Grant({ accountId, clientId: String(params.client_id) });
  grant.addOIDCScope(String(params.scope));
  const grantId = await grant.save();
  await provider.interactionFinished(
    req,
    res,
    { login: { accountId }, consent: { grantId } },
    { mergeWithLastSubmission: false },
  );
}

const handleProtocol = provider.callback();
const server = createServer((req, res) => {
  if (req.url?.startsWith('/interaction/')) {
    signIn(req, res).catch((error: unknown) => {
      res.statusCode = 500;
      res.end(String(error));
    });
    return;
  }
  handleProtocol(req, res);
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1');

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    server.close();
    server.closeAllConnections();
    void store.close().finally(() => process.exit(0));
  });
}
