import { randomBytes } from 'node:crypto';

/** The seed's step-up acr: OpenID PAPE multi-factor. */
export const SEED_MFA_ACR = 'http://schemas.openid.net/pape/policies/2007/06/multi-factor';

/** The ID token algorithms the app accepts from a provider (`SALARY_ID_TOKEN_ALG`). */
const ID_TOKEN_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA', 'HS256'] as const;
export type SalaryIdTokenAlg = (typeof ID_TOKEN_ALGORITHMS)[number];

/** Every setting of the salary app, checked. Defaults live here and nowhere else. */
export interface SalaryConfig {
  /** The OpenID provider's issuer identifier. */
  issuer: string;
  clientId: string;
  /** Undefined for a public client (PKCE only). */
  clientSecret: string | undefined;
  /** The app's public origin; the callback is `<baseUrl>/auth/callback`. */
  baseUrl: string;
  port: number;
  /** Address to bind. */
  host: string;
  /** What the salary page sends as `acr_values` when it steps up. */
  mfaAcr: string;
  /** Seconds after which an MFA sign-in no longer opens the salary page; undefined: the session's life. */
  mfaMaxAge: number | undefined;
  idTokenAlg: SalaryIdTokenAlg;
  sessionSecret: string;
  /** True when no `SALARY_SESSION_SECRET` was given and one was made up for this process. */
  sessionSecretGenerated: boolean;
}

/** A bad setting; the message names the variable and what is allowed. */
export class SalaryConfigError extends Error {
  override name = 'SalaryConfigError';
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

function fail(variable: string, problem: string): never {
  throw new SalaryConfigError(`Invalid setting ${variable}: ${problem}`);
}

function readUrl(env: NodeJS.ProcessEnv, variable: string, fallback?: string): { value: string; url: URL } {
  const value = env[variable] || fallback;
  if (value === undefined) fail(variable, 'is required');
  const url = URL.parse(value);
  if (url === null || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    fail(variable, `"${value}" is not an http(s) URL`);
  }
  if (url.protocol === 'http:' && !LOOPBACK.has(url.hostname)) {
    fail(variable, `"${value}" must use https (plain http only on localhost)`);
  }
  return { value, url };
}

function readPort(env: NodeJS.ProcessEnv, variable: string, fallback: number): number {
  const value = env[variable];
  if (value === undefined || value === '') return fallback;
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65_535) fail(variable, `"${value}" is not a port number`);
  return Number(value);
}

/**
 * Reads the app's settings from the environment once at start-up. A bad value throws a
 * `SalaryConfigError` naming the variable. Without `SALARY_SESSION_SECRET` a random one is made up
 * outside production (sessions then end when the process stops); in production it is required.
 */
export function readSalaryConfig(env: NodeJS.ProcessEnv = process.env): SalaryConfig {
  // Kept exactly as given: some providers' issuer ends with a slash, and `iss` must match it.
  const issuer = readUrl(env, 'SALARY_ISSUER').value;
  const port = readPort(env, 'APP_PORT', 4000);
  const base = readUrl(env, 'SALARY_BASE_URL', `http://localhost:${port}`).url;
  if (base.pathname !== '/' || base.search || base.hash) {
    fail('SALARY_BASE_URL', 'must be an origin such as https://salary.example.com (no path)');
  }

  const clientId = env.SALARY_CLIENT_ID || 'salary';
  const clientSecret = env.SALARY_CLIENT_SECRET || undefined;
  const idTokenAlg = (env.SALARY_ID_TOKEN_ALG || 'RS256') as SalaryIdTokenAlg;
  if (!ID_TOKEN_ALGORITHMS.includes(idTokenAlg)) {
    fail('SALARY_ID_TOKEN_ALG', `use one of ${ID_TOKEN_ALGORITHMS.join(', ')}`);
  }
  // RFC 7518 3.2: an HMAC key at least as long as the hash output.
  if (idTokenAlg === 'HS256' && Buffer.byteLength(clientSecret ?? '') < 32) {
    fail('SALARY_CLIENT_SECRET', 'HS256 ID tokens need a client secret of at least 32 bytes');
  }

  const mfaAcr = env.SALARY_MFA_ACR || SEED_MFA_ACR;
  if (!/^[\x21-\x7E]+$/.test(mfaAcr)) fail('SALARY_MFA_ACR', 'must be one acr value (no spaces)');
  const maxAge = env.SALARY_MFA_MAX_AGE;
  if (maxAge !== undefined && maxAge !== '' && !/^\d{1,9}$/.test(maxAge)) {
    fail('SALARY_MFA_MAX_AGE', `"${maxAge}" is not a number of seconds`);
  }

  let sessionSecret = env.SALARY_SESSION_SECRET ?? '';
  const sessionSecretGenerated = sessionSecret === '';
  if (sessionSecretGenerated) {
    if (env.NODE_ENV === 'production') {
      fail('SALARY_SESSION_SECRET', 'is required in production (e.g. `openssl rand -base64 32`)');
    }
    sessionSecret = randomBytes(32).toString('base64url');
  } else if (Buffer.byteLength(sessionSecret) < 32) {
    fail('SALARY_SESSION_SECRET', 'must be at least 32 bytes (e.g. `openssl rand -base64 32`)');
  }

  return {
    issuer,
    clientId,
    clientSecret,
    baseUrl: base.origin,
    port,
    host: env.APP_HOST || '127.0.0.1',
    mfaAcr,
    mfaMaxAge: maxAge ? Number(maxAge) : undefined,
    idTokenAlg,
    sessionSecret,
    sessionSecretGenerated,
  };
}
