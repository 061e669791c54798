import { ALLOWED_SCOPES_METADATA } from '../../admin/management-api-identity.ts';
import {
  checkClientSecretStrength,
  generateClientSecret,
  WeakClientSecretError,
} from '../../client-secrets/client-secret-strength.ts';
import { protectClientSecret } from '../../client-secrets/stored-client-secret.ts';
import { loadSecretKeyring } from '../../crypto/load-secret-keyring.ts';
import {
  CLIENT_PROFILE_METADATA,
  CLIENT_PROFILES,
  FAPI2_SIGNING_ALGORITHMS,
} from '../../oidc/client-security-profile.ts';
import { loadProviderKeys } from '../../oidc/provider-keys.ts';
import { isReservedClientId, RESERVED_CLIENT_IDS } from '../../store/clients.ts';
import { type CliCommand, parseCommandArgs, UsageError } from '../cli-command.ts';
import { withStore } from '../with-store.ts';
import { readClientJwksOption } from './client-keys-option.ts';
import { readClientMetadataOption } from './client-metadata-option.ts';

const ID_TOKEN_ALGORITHMS = ['RS256', 'ES256', 'EdDSA', 'HS256'] as const;
const GRANTS = ['authorization_code', 'client_credentials'] as const;
/** RFC 6749 3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

export const clientAdd: CliCommand = {
  words: ['client', 'add'],
  summary: 'register an application (OAuth client), or update it',
  usage:
    'stepup-idp client add <client_id> [--secret <secret> | --public] --redirect-uri <uri> [--redirect-uri <uri>…]\n' +
    '    [--post-logout-redirect-uri <uri>…] [--id-token-alg RS256|ES256|EdDSA|HS256] [--name <display name>]\n' +
    '    [--grant authorization_code|client_credentials …] [--api <resource> --scopes "<scopes of that API it may be granted>"]\n' +
    '    [--metadata key=value …]   (what post-login Actions see as event.client.metadata)\n' +
    '    [--jwks <file> | --jwks-uri <https uri>]   (public keys: private_key_jwt instead of a secret)\n' +
    '    [--require-par] [--require-signed-request-object] [--dpop] [--profile standard|fapi2]\n' +
    '  a FAPI 2.0 client: client add <id> --profile fapi2 --jwks keys.json --redirect-uri <uri>\n' +
    '  a machine client of the management API: client add <id> --grant client_credentials \\\n' +
    '    --api <issuer>/api/v1 --scopes "read:users read:audit"\n' +
    '  without --secret or --public, a secret is generated and printed once; a --secret of your own needs\n' +
    '    256 random bits (at least 43 base64url or 64 hex characters: `openssl rand -hex 32`)',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        secret: { type: 'string' },
        public: { type: 'boolean' },
        'redirect-uri': { type: 'string', multiple: true },
        'post-logout-redirect-uri': { type: 'string', multiple: true },
        'id-token-alg': { type: 'string' },
        name: { type: 'string' },
        grant: { type: 'string', multiple: true },
        api: { type: 'string' },
        scopes: { type: 'string' },
        metadata: { type: 'string', multiple: true },
        jwks: { type: 'string' },
        'jwks-uri': { type: 'string' },
        'require-par': { type: 'boolean' },
        'require-signed-request-object': { type: 'boolean' },
        dpop: { type: 'boolean' },
        profile: { type: 'string' },
      },
      1,
    );
    const clientId = positionals[0] ?? '';
    if (!/^[A-Za-z0-9._~-]{1,128}$/.test(clientId)) {
      throw new UsageError('client_id: use 1 to 128 letters, digits or . _ ~ -');
    }
    if (isReservedClientId(clientId)) {
      throw new UsageError(
        `client_id "${clientId}" is reserved for the provider's own ${RESERVED_CLIENT_IDS[clientId]}; choose another id`,
      );
    }
    const isPublic = values.public === true;
    if (isPublic && values.secret !== undefined)
      throw new UsageError('give either --secret <secret> or --public');
    const grants = [...new Set(values.grant ?? ['authorization_code'])];
    for (const grant of grants) {
      if (!(GRANTS as readonly string[]).includes(grant)) {
        throw new UsageError(`--grant: "${grant}" is not one of ${GRANTS.join(', ')}`);
      }
    }
    const codeFlow = grants.includes('authorization_code');
    if (grants.includes('client_credentials') && isPublic) {
      throw new UsageError('--grant client_credentials needs a secret: a public client cannot authenticate');
    }
    const scopes = [...new Set((values.scopes ?? '').split(' ').filter(Boolean))];
    const badScope = scopes.find((scope) => !SCOPE_TOKEN.test(scope));
    if (badScope !== undefined) throw new UsageError(`--scopes: "${badScope}" is not a valid scope token`);
    // Scopes are granted per API: the same name on another API is another permission.
    const api = values.api ?? '';
    if (scopes.length > 0 && !URL.canParse(api)) {
      throw new UsageError('--scopes needs --api <resource indicator>: the API the scopes are granted for');
    }
    const redirectUris = values['redirect-uri'] ?? [];
    if (codeFlow && redirectUris.length === 0)
      throw new UsageError('at least one --redirect-uri is required');
    const postLogoutRedirectUris = values['post-logout-redirect-uri'] ?? [];
    for (const uri of [...redirectUris, ...postLogoutRedirectUris]) checkRedirectUri(uri);
    const metadata = readClientMetadataOption(values.metadata ?? []);
    const profile = values.profile;
    if (profile !== undefined && !(CLIENT_PROFILES as readonly string[]).includes(profile)) {
      throw new UsageError(`--profile: "${profile}" is not one of ${CLIENT_PROFILES.join(', ')}`);
    }
    const jwksUri = values['jwks-uri'];
    if (values.jwks !== undefined && jwksUri !== undefined)
      throw new UsageError('give either --jwks or --jwks-uri');
    if (jwksUri !== undefined && !(URL.canParse(jwksUri) && new URL(jwksUri).protocol === 'https:')) {
      throw new UsageError(`--jwks-uri: "${jwksUri}" is not an https URI`);
    }
    const jwks = values.jwks === undefined ? undefined : readClientJwksOption(values.jwks);
    const usesKeys = jwks !== undefined || jwksUri !== undefined;
    if (usesKeys && (isPublic || values.secret !== undefined)) {
      throw new UsageError('--jwks and --jwks-uri replace the secret: not with --secret or --public');
    }
    if (profile === 'fapi2' && !usesKeys) {
      throw new UsageError('--profile fapi2 authenticates with private_key_jwt: give --jwks or --jwks-uri');
    }
    if (values['require-signed-request-object'] && !usesKeys) {
      throw new UsageError(
        '--require-signed-request-object needs the client keys: give --jwks or --jwks-uri',
      );
    }
    // FAPI 2.0 Security Profile 5.4: a fapi2 client's ID tokens are ES256 unless it asks for EdDSA.
    const alg = values['id-token-alg'] ?? (profile === 'fapi2' ? 'ES256' : 'RS256');
    if (profile === 'fapi2' && !FAPI2_SIGNING_ALGORITHMS.includes(alg)) {
      throw new UsageError(`--id-token-alg: a fapi2 client's ID tokens use ES256 or EdDSA, not ${alg}`);
    }
    if (!(ID_TOKEN_ALGORITHMS as readonly string[]).includes(alg)) {
      throw new UsageError(`--id-token-alg: "${alg}" is not one of ${ID_TOKEN_ALGORITHMS.join(', ')}`);
    }
    if (alg === 'HS256' && isPublic)
      throw new UsageError('--id-token-alg HS256 needs a secret: not with --public');
    if (values.secret !== undefined) {
      try {
        checkClientSecretStrength(values.secret);
      } catch (error) {
        if (error instanceof WeakClientSecretError) throw new UsageError(`--secret: ${error.message}`);
        throw error;
      }
    }
    const secret = isPublic || usesKeys ? undefined : (values.secret ?? generateClientSecret());

    await withStore(io.env, async (store, config) => {
      const { secretBox } = await loadProviderKeys(store, loadSecretKeyring(config).keyring);
      const registration = {
        client_id: clientId,
        ...(usesKeys
          ? { token_endpoint_auth_method: 'private_key_jwt', ...(jwks ? { jwks } : { jwks_uri: jwksUri }) }
          : secret === undefined
            ? { token_endpoint_auth_method: 'none' }
            : { client_secret: secret }),
        ...(values.name ? { client_name: values.name } : {}),
        redirect_uris: redirectUris,
        post_logout_redirect_uris: postLogoutRedirectUris,
        grant_types: [
          ...(codeFlow ? ['authorization_code', 'refresh_token'] : []),
          ...(grants.includes('client_credentials') ? ['client_credentials'] : []),
        ],
        response_types: codeFlow ? ['code'] : [],
        id_token_signed_response_alg: alg,
        ...(scopes.length ? { [ALLOWED_SCOPES_METADATA]: { [api]: scopes } } : {}),
        ...(Object.keys(metadata).length ? { metadata } : {}),
        ...(values['require-par'] ? { require_pushed_authorization_requests: true } : {}),
        ...(values['require-signed-request-object'] ? { require_signed_request_object: true } : {}),
        ...(values.dpop ? { dpop_bound_access_tokens: true } : {}),
        ...(profile ? { [CLIENT_PROFILE_METADATA]: profile } : {}),
      };
      // The secret rests hashed (or sealed, for HS256): this is the only time it can be shown.
      await store.clients.upsert(protectClientSecret(registration, secretBox));
      if (values.secret === undefined && secret !== undefined) {
        io.out(`client_secret: ${secret}`);
        io.out('  (shown once: store it in the application now; the provider keeps only what verifies it)');
      }
      io.out(
        `registered client ${clientId} (${isPublic ? 'public, PKCE required' : usesKeys ? 'confidential, private_key_jwt' : 'confidential'}, ID tokens ${alg}, grants ${grants.join(' ')}${scopes.length ? `, scopes ${scopes.join(' ')}` : ''}${describeRequestSecurity(registration)})`,
      );
    });
  },
};

/** The request security a registration asks for, for the confirmation line. */
function describeRequestSecurity(registration: Record<string, unknown>): string {
  const parts = [
    registration[CLIENT_PROFILE_METADATA] === 'fapi2' ? 'profile fapi2' : '',
    registration.require_pushed_authorization_requests ? 'PAR required' : '',
    registration.require_signed_request_object ? 'signed request objects required' : '',
    registration.dpop_bound_access_tokens ? 'DPoP required' : '',
  ].filter(Boolean);
  return parts.length ? `, ${parts.join(', ')}` : '';
}

function checkRedirectUri(uri: string): void {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new UsageError(`"${uri}" is not an absolute URI`);
  }
  if (url.hash) throw new UsageError(`"${uri}": a redirect URI must not have a fragment (RFC 6749 3.1.2)`);
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new UsageError(`"${uri}": use https (plain http only on localhost)`);
  }
}
