import {
  RESOURCE_SERVER_SIGNING_ALGORITHMS,
  type ResourceServerSigningAlg,
} from '../../store/resource-servers.ts';
import { type CliCommand, parseCommandArgs, UsageError } from '../cli-command.ts';
import { withStore } from '../with-store.ts';

/** RFC 6749 3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
/** The OIDC scopes belong to the userinfo token; an API defining them would take them over. */
const OIDC_SCOPES = ['openid', 'profile', 'email', 'address', 'phone', 'offline_access'];
const DEFAULT_ACCESS_TOKEN_TTL = 300;

export const apiAdd: CliCommand = {
  words: ['api', 'add'],
  summary: 'register an API (RFC 8707 resource) that receives JWT access tokens, or update it',
  usage:
    'stepup-idp api add <identifier> --scope <scope> [--scope <scope>…] [--access-token-ttl <seconds>]\n' +
    '    [--alg RS256|ES256|EdDSA]',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        scope: { type: 'string', multiple: true },
        'access-token-ttl': { type: 'string' },
        alg: { type: 'string' },
      },
      1,
    );
    const identifier = checkIdentifier(positionals[0] ?? '');
    const scopes = [...new Set(values.scope ?? [])];
    if (scopes.length === 0) throw new UsageError('at least one --scope is required');
    for (const scope of scopes) {
      if (!SCOPE_TOKEN.test(scope)) throw new UsageError(`--scope "${scope}" is not a valid scope token`);
      if (OIDC_SCOPES.includes(scope))
        throw new UsageError(`--scope "${scope}" is reserved for OpenID Connect`);
    }
    const ttlText = values['access-token-ttl'] ?? String(DEFAULT_ACCESS_TOKEN_TTL);
    const accessTokenTtl = Number(ttlText);
    if (!/^\d+$/.test(ttlText) || !Number.isSafeInteger(accessTokenTtl) || accessTokenTtl < 1) {
      throw new UsageError('--access-token-ttl: give a positive whole number of seconds');
    }
    const alg = values.alg ?? 'RS256';
    if (!(RESOURCE_SERVER_SIGNING_ALGORITHMS as readonly string[]).includes(alg)) {
      throw new UsageError(`--alg: "${alg}" is not one of ${RESOURCE_SERVER_SIGNING_ALGORITHMS.join(', ')}`);
    }

    await withStore(io.env, async (store) => {
      await store.resourceServers.upsert({
        identifier,
        scopes,
        accessTokenTtl,
        signingAlg: alg as ResourceServerSigningAlg,
      });
      io.out(
        `registered API ${identifier} (scopes ${scopes.join(' ')}; ${alg} JWT access tokens for ${accessTokenTtl} s)`,
      );
    });
  },
};

/** RFC 8707 2: an absolute URI without a fragment; https, or http on a loopback host for development. */
function checkIdentifier(identifier: string): string {
  let url: URL;
  try {
    url = new URL(identifier);
  } catch {
    throw new UsageError(`"${identifier}" is not an absolute URI (RFC 8707 2)`);
  }
  if (identifier.includes('#')) throw new UsageError(`"${identifier}": a resource must not have a fragment`);
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new UsageError(`"${identifier}": use https (plain http only on localhost)`);
  }
  return identifier;
}
