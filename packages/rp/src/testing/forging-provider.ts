import { createHmac, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, SignJWT } from 'jose';

/**
 * A small OpenID provider on 127.0.0.1 that signs whatever a test asks for — the tool for negative
 * cases. It serves discovery, a JWKS (counting fetches) and a token endpoint whose answer the test
 * sets; the authorization endpoint is never visited (tests read `state` and `nonce` from the
 * redirect and call the callback themselves).
 */
export interface ForgingProvider {
  issuer: string;
  /** How many times the JWKS was fetched. */
  readonly jwksFetches: number;
  /** Form bodies received at the token endpoint. */
  readonly tokenRequests: URLSearchParams[];
  /** What the token endpoint answers next; the test sets it. */
  tokenResponse: (request: URLSearchParams) => Promise<Record<string, unknown>> | Record<string, unknown>;
  /** The RSA public key, for forging an HS256 token keyed with it. */
  rsaPublicKey: KeyObject;
  /** A JWT signed with one of the published keys (`RS256` default), or with an unpublished RSA key (`rogue`). */
  sign(
    claims: Record<string, unknown>,
    options?: {
      alg?: 'RS256' | 'ES256' | 'EdDSA';
      kid?: string;
      typ?: string;
      rogue?: boolean;
      header?: Record<string, unknown>;
    },
  ): Promise<string>;
  /**
   * RS256 with the published key over exactly `header` (no checks: for headers jose will not write),
   * and over `claims` as JSON, or as exactly these bytes (for claims sets jose will not write).
   */
  signRaw(header: Record<string, unknown>, claims: Record<string, unknown> | Uint8Array): string;
  /** An unsecured JWT (`alg: none`). */
  signNone(claims: Record<string, unknown>, header?: Record<string, unknown>): string;
  /** An HMAC-signed JWT; `key` defaults to the RSA public key's PEM (the algorithm-confusion attack). */
  signHmac(
    claims: Record<string, unknown>,
    key?: string | Uint8Array,
    header?: Record<string, unknown>,
  ): string;
  close(): Promise<void>;
}

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export async function startForgingProvider(): Promise<ForgingProvider> {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const rogue = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ed = generateKeyPairSync('ed25519');
  const keys = [
    { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
    { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
    { ...(await exportJWK(ed.publicKey)), kid: 'ed-1', alg: 'EdDSA', use: 'sig' },
  ];
  let jwksFetches = 0;
  const tokenRequests: URLSearchParams[] = [];
  let issuer = '';

  const state: ForgingProvider = {
    issuer: '',
    get jwksFetches() {
      return jwksFetches;
    },
    tokenRequests,
    tokenResponse: () => ({ error: 'invalid_grant' }),
    rsaPublicKey: rsa.publicKey,
    async sign(claims, options = {}) {
      const alg = options.alg ?? 'RS256';
      const key = options.rogue
        ? rogue.privateKey
        : alg === 'RS256'
          ? rsa.privateKey
          : alg === 'ES256'
            ? ec.privateKey
            : ed.privateKey;
      const kid = options.kid ?? (alg === 'RS256' ? 'rsa-1' : alg === 'ES256' ? 'ec-1' : 'ed-1');
      return new SignJWT(claims)
        .setProtectedHeader({
          alg,
          kid,
          ...(options.typ === undefined ? {} : { typ: options.typ }),
          ...options.header,
        })
        .sign(key);
    },
    signRaw(header, claims) {
      const payload =
        claims instanceof Uint8Array ? Buffer.from(claims).toString('base64url') : encode(claims);
      const input = `${encode({ alg: 'RS256', kid: 'rsa-1', ...header })}.${payload}`;
      return `${input}.${sign('sha256', Buffer.from(input), rsa.privateKey).toString('base64url')}`;
    },
    signNone(claims, header = {}) {
      return `${encode({ alg: 'none', ...header })}.${encode(claims)}.`;
    },
    signHmac(claims, key, header = {}) {
      const secret = key ?? (rsa.publicKey.export({ format: 'pem', type: 'spki' }) as string);
      const input = `${encode({ alg: 'HS256', kid: 'rsa-1', ...header })}.${encode(claims)}`;
      return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
    },
    async close() {
      await new Promise((resolve) => server.close(resolve));
    },
  };

  const server: Server = createServer(async (request, response) => {
    const path = new URL(request.url ?? '/', issuer).pathname;
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(JSON.stringify(body));
    };
    if (path === '/.well-known/openid-configuration') {
      return json(200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        end_session_endpoint: `${issuer}/logout`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256', 'ES256', 'EdDSA', 'HS256'],
        code_challenge_methods_supported: ['S256'],
      });
    }
    if (path === '/jwks') {
      jwksFetches++;
      return json(200, { keys });
    }
    if (path === '/token' && request.method === 'POST') {
      let body = '';
      for await (const chunk of request) body += chunk;
      const params = new URLSearchParams(body);
      tokenRequests.push(params);
      const answer = await state.tokenResponse(params);
      if (answer.error === 'invalid_client') {
        // RFC 6749 5.2: 401, with a challenge for the scheme the client used, if it used one.
        if (request.headers.authorization?.startsWith('Basic ')) {
          response.setHeader('www-authenticate', `Basic realm="${issuer}", error="invalid_client"`);
        }
        return json(401, answer);
      }
      return json('error' in answer ? 400 : 200, answer);
    }
    json(404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.issuer = issuer;
  return state;
}
