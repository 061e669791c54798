import { isIP } from 'node:net';
import { z } from 'zod';
import { NIST_MINIMUM_LENGTH } from '../accounts/password-policy.ts';

const acrLevelSchema = z.strictObject({
  acr: z.string().min(1),
  factors: z.number().int().min(1).max(3),
  phishingResistant: z.boolean().optional(),
  maxAge: z.number().int().positive().optional(),
});

const windowSchema = z.strictObject({
  limit: z.number().int().positive(),
  windowSeconds: z.number().int().positive(),
});

/** NIST SP 800-63B 5.2.2: no more than 100 consecutive failed attempts on one account. */
const MAX_CONSECUTIVE_FAILURES = 100;

/** An IP address or a CIDR range (`10.0.0.0/8`, `fd00::/8`), or one of proxy-addr's names for ranges. */
const proxyAddressSchema = z
  .string()
  .refine(isProxyAddress, 'an IP address, a CIDR range, or loopback, linklocal or uniquelocal');

function isProxyAddress(value: string): boolean {
  if (value === 'loopback' || value === 'linklocal' || value === 'uniquelocal') return true;
  const [address = '', prefix, ...rest] = value.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}

/**
 * Every setting of the provider, with its default. Defaults live here and nowhere else.
 * Environment variables and the optional JSON config file are mapped onto this shape by `loadConfig`.
 */
export const configSchema = z.strictObject({
  /** Public URL of the provider, as it appears in `iss`. */
  issuer: z.url().optional(),
  port: z.number().int().min(0).max(65535).default(3000),
  host: z.string().min(1).default('127.0.0.1'),
  dataDir: z.string().min(1).default('./data'),
  /**
   * The keys that encrypt TOTP seeds and Action secrets and key the hashes of bearer ids (also
   * STEPUP_SECRET_KEY): 32-byte keys in base64 or base64url, the current one first. They never go in
   * the database. Omitted, with SQLite: the key file `secret-keys` in `dataDir`, created at first
   * start. Omitted with `databaseUrl`: the provider refuses to start (every node needs the same key).
   */
  secretKey: z.string().min(1).optional(),
  /** A file holding the same text as `secretKey` (also STEPUP_SECRET_KEY_FILE), readable by its owner only. */
  secretKeyFile: z.string().min(1).optional(),
  /**
   * PostgreSQL connection URL (also STEPUP_DATABASE_URL), for several provider nodes over one database.
   * Omitted: the embedded SQLite database in `dataDir`.
   */
  databaseUrl: z
    .url({ protocol: /^postgres(ql)?$/, error: 'use a postgres:// or postgresql:// URL' })
    .optional(),
  /** The PostgreSQL connection pool of each node; unused with SQLite. */
  database: z
    .strictObject({
      /** Connections per node; several nodes together must stay under the server's max_connections. */
      poolMax: z.number().int().min(1).max(1000).default(10),
      /** Longest wait for a connection, so a request fails fast (503) while PostgreSQL is down. */
      connectionTimeoutMs: z.number().int().min(100).max(60_000).default(3000),
      /** Longest a statement may run before PostgreSQL cancels it. */
      statementTimeoutMs: z.number().int().min(100).max(600_000).default(5000),
    })
    .prefault({}),
  /**
   * Redis connection URL (also STEPUP_REDIS_URL), for several provider nodes: short-lived state
   * (interactions, challenges, throttling counters) and push notices between nodes. Omitted: that
   * state stays in the database and push notices in the process (one node).
   */
  redisUrl: z.url({ protocol: /^rediss?$/, error: 'use a redis:// or rediss:// URL' }).optional(),
  /** How each node uses Redis; unused without `redisUrl`. */
  redis: z
    .strictObject({
      /** Starts every key and channel name, so several installations can share one Redis. */
      keyPrefix: z.string().min(1).max(100).default('stepup:'),
      /** Longest wait for a reply, so a request fails fast (503) while Redis is down. */
      commandTimeoutMs: z.number().int().min(50).max(60_000).default(1000),
    })
    .prefault({}),
  /**
   * Which proxies in front of the provider to believe about the client address (`X-Forwarded-For`, by
   * Fastify's `trustProxy`); scheme and host always come from the issuer (http/issuer-origin.ts).
   * `false`: none, the client is the socket's peer. A number: that many proxy hops, so the client is
   * that many entries from the right of `X-Forwarded-For` (what each proxy appended). A list of
   * addresses or CIDR ranges: the proxies at those addresses. `true`: every hop, so the client is the
   * left-most entry, which the client itself can write — only behind a proxy that overwrites the header.
   */
  trustProxy: z
    .union([z.boolean(), z.number().int().min(1).max(10), z.array(proxyAddressSchema).min(1)])
    .default(false),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** The acr ladder, lowest level first. Omitted: the default ladder of @stepup/core. */
  acrLadder: z.array(acrLevelSchema).min(1).optional(),
  ttl: z
    .strictObject({
      session: z
        .number()
        .int()
        .positive()
        .default(14 * 24 * 3600),
      interaction: z.number().int().positive().default(3600),
      authorizationCode: z.number().int().positive().max(600).default(60),
      idToken: z.number().int().positive().default(3600),
      accessToken: z.number().int().positive().default(3600),
      refreshToken: z
        .number()
        .int()
        .positive()
        .default(14 * 24 * 3600),
    })
    .prefault({}),
  /**
   * How long a rotated refresh token may be presented again, in seconds: a client whose refresh
   * response was lost (a killed process, a dropped mobile connection) retries with the same token and
   * gets fresh tokens of the same grant, through the same checks and Actions. After the interval, a
   * reuse revokes the grant and every token issued under it (RFC 9700 4.14.2). 10 s covers a retry
   * after a client's usual request timeout while keeping the window a stolen, already used token
   * stays useful short (Okta allows up to 60 s, Auth0 sets it per tenant). 0: strict single use.
   */
  refreshTokenReuseIntervalSeconds: z.number().int().min(0).max(60).default(10),
  /**
   * Pushed authorization requests (RFC 9126), signed request objects (RFC 9101), DPoP (RFC 9449) and
   * the FAPI 2.0 client profile, provider-wide (README "PAR, request objects and DPoP"). Each client
   * can ask for more in its own registration; these raise the floor for every client but the
   * provider's own (account page and dashboard).
   */
  requestSecurity: z
    .strictObject({
      /** Every client must push its authorization request: nothing of the request travels in the URL. */
      requirePushedAuthorizationRequests: z.boolean().default(false),
      /** Every client must sign its request object (`request`, by value or through PAR). */
      requireSignedRequestObjects: z.boolean().default(false),
      /** The profile of a client whose registration names none: `fapi2` holds every client to FAPI 2.0. */
      defaultClientProfile: z.enum(['standard', 'fapi2']).default('standard'),
      /**
       * DPoP proofs must carry a nonce the provider issued (RFC 9449 8): a proof made in advance by a
       * stolen key, or replayed after the nonce changed, is refused with `use_dpop_nonce`.
       */
      requireDpopNonce: z.boolean().default(true),
    })
    .prefault({}),
  /** Push with number matching, answered in the built-in authenticator app or CLI. */
  push: z
    .strictObject({
      /** How long a push request can be answered: short, so a forgotten request cannot be approved later. */
      challengeTtlSeconds: z.number().int().min(10).max(300).default(60),
      /** How long an enrollment link (and its QR code) works. */
      enrollmentTtlSeconds: z
        .number()
        .int()
        .min(60)
        .max(24 * 3600)
        .default(10 * 60),
      /** Push requests sent per account, across logins: caps what an attacker with the password can send. */
      sends: windowSchema.prefault({ limit: 5, windowSeconds: 15 * 60 }),
      /** Denied requests per account after which push pauses until the window ends; other factors are offered. */
      denials: windowSchema.prefault({ limit: 3, windowSeconds: 60 * 60 }),
      /**
       * Web Push (VAPID) to the authenticator app, for deployments that can reach the browsers' push
       * services; the event stream stays the primary channel. Off by default.
       */
      webPush: z
        .strictObject({
          enabled: z.boolean().default(false),
          /** Who push services can contact about this sender (RFC 8292 2.1): a mailto: or https: URI. */
          subject: z
            .string()
            .regex(/^(mailto:[^\s@]+@[^\s@]+|https:\/\/[^\s]+)$/, 'use a mailto: address or an https: URL')
            .optional(),
          /**
           * Host names of the push services subscriptions may point at (a leading dot allows every
           * subdomain). A device chooses its endpoint, so without this list it could make the
           * provider send requests to any host, inside the network too.
           */
          allowedHosts: z
            .array(z.string().regex(/^\.?[a-z0-9.-]+$/, 'a host name, or .domain for its subdomains'))
            .default([
              'fcm.googleapis.com',
              'updates.push.services.mozilla.com',
              '.push.apple.com',
              '.notify.windows.com',
            ]),
        })
        .prefault({})
        .refine((webPush) => !webPush.enabled || webPush.subject !== undefined, {
          message: 'push.webPush.subject is required when push.webPush.enabled is true',
          path: ['subject'],
        }),
    })
    .prefault({}),
  throttling: z
    .strictObject({
      /** Failed passwords per account before each further try waits (doubling, capped). */
      accountFreeFailures: z.number().int().min(1).max(100).default(5),
      accountMaxDelaySeconds: z
        .number()
        .int()
        .positive()
        .default(15 * 60),
      /** Consecutive failures after which the account accepts passwords only from known browsers. */
      accountLockFailures: z.number().int().min(1).max(MAX_CONSECUTIVE_FAILURES).default(100),
      /** Failed passwords for one account from one client IP; a known browser has a count of its own. */
      accountIp: windowSchema.prefault({ limit: 10, windowSeconds: 15 * 60 }),
      /**
       * Failed passwords from one client IP across accounts ("suspicious IP"). Browsers that signed in
       * to the account before are not held back by it.
       */
      ip: windowSchema.prefault({ limit: 50, windowSeconds: 15 * 60 }),
      /** Wrong second-factor codes (TOTP, recovery, email) per account. */
      secondFactor: z
        .strictObject({
          limit: z.number().int().positive().default(10),
          windowSeconds: z
            .number()
            .int()
            .positive()
            .default(15 * 60),
          /** Consecutive wrong codes before each further try waits (doubling from 5 s, capped). */
          freeFailures: z.number().int().min(1).max(MAX_CONSECUTIVE_FAILURES).default(10),
          maxDelaySeconds: z
            .number()
            .int()
            .positive()
            .default(15 * 60),
          /**
           * Consecutive wrong codes after which codes are refused until a second factor without a
           * code (push, security key) succeeds or an operator clears the lock.
           */
          lockFailures: z.number().int().min(1).max(MAX_CONSECUTIVE_FAILURES).default(100),
        })
        .prefault({}),
      /** Wrong codes within one login before the step-up ends as unmet. */
      codeTriesPerLogin: z.number().int().min(1).max(20).default(5),
      /**
       * Wrong client secrets (token, revocation, PAR endpoints) per client id that get an answer in a
       * window; after them every try for that client, right ones included, gets 429 with
       * `Retry-After` until the window ends (throttle/client-secret-throttle.ts).
       */
      clientSecret: windowSchema.prefault({ limit: 20, windowSeconds: 60 }),
    })
    .prefault({}),
  /** Email one-time codes as a second factor, for people with an email address. */
  email: z
    .strictObject({
      /** false: email codes are never offered. */
      enabled: z.boolean().default(true),
      /** The sender, e.g. `Stepup <no-reply@example.com>`. Omitted: no-reply@ the issuer's host name. */
      from: z.string().min(1).optional(),
      /** SMTP server, e.g. `smtps://user:password@smtp.example.com:465`. Omitted (development): each
       * message is written to `outboxDir` instead of being sent. */
      smtpUrl: z.url({ protocol: /^smtps?$/ }).optional(),
      /** PEM file of the CA that signed the SMTP server's certificate, when it is not a public one. */
      smtpCaFile: z.string().min(1).optional(),
      /** Where messages go without `smtpUrl`. Omitted: `<dataDir>/outbox`. */
      outboxDir: z.string().min(1).optional(),
      /** How long a code works after it is sent. */
      codeTtlSeconds: z
        .number()
        .int()
        .min(1)
        .max(3600)
        .default(10 * 60),
      /** Codes sent per account, across logins: caps the mail an attacker with the password can trigger. */
      sends: windowSchema.prefault({ limit: 5, windowSeconds: 15 * 60 }),
    })
    .prefault({}),
  /**
   * "Remember this browser": after a second factor, the person may let this browser skip the second
   * factor that an Action asked for (with `allowRememberBrowser: true`) for this many days. 0: never
   * offered. A level the application itself requests (`acr_values`) is always challenged.
   */
  rememberBrowser: z.strictObject({ days: z.number().int().min(0).max(365).default(30) }).prefault({}),
  /**
   * Rules for passwords people choose (NIST SP 800-63B-4 3.1.1.2). `minLength` counts characters after
   * normalisation; NIST asks for at least 8 when the password is one of two factors, and 15 when it is
   * the only one — raise it when most sign-ins are password-only.
   */
  passwords: z
    .strictObject({
      minLength: z.number().int().min(NIST_MINIMUM_LENGTH).max(64).default(NIST_MINIMUM_LENGTH),
      /** How long an emailed password reset link works. */
      resetLinkTtlSeconds: z
        .number()
        .int()
        .min(60)
        .max(3600)
        .default(20 * 60),
      /** Reset links sent per account: caps the mail anyone can make the provider send a person. */
      resetRequests: windowSchema.prefault({ limit: 3, windowSeconds: 15 * 60 }),
      /** Reset requests from one client IP, across accounts and addresses that match none. */
      resetRequestsPerIp: windowSchema.prefault({ limit: 20, windowSeconds: 15 * 60 }),
      /** Wrong current passwords per account on the account page's change form. */
      changeFailures: windowSchema.prefault({ limit: 5, windowSeconds: 15 * 60 }),
    })
    .prefault({}),
  /**
   * Second factors an operator may switch off (email codes: `email.enabled`). A switched-off factor is
   * neither offered nor accepted, nor enrolled, but still counts as one the person has, so it never
   * opens a password-only enrollment; recovery codes stay the way in.
   */
  factors: z
    .strictObject({
      totp: z
        .strictObject({
          enabled: z.boolean().default(true),
          /** Time steps (30 s) accepted either side of now, for phone clocks a little off (RFC 6238 5.2). */
          skewSteps: z.number().int().min(0).max(2).default(1),
        })
        .prefault({}),
      /** Security keys and passkeys, as a second factor and as the passkey sign-in. */
      webauthn: z.strictObject({ enabled: z.boolean().default(true) }).prefault({}),
      push: z.strictObject({ enabled: z.boolean().default(true) }).prefault({}),
    })
    .prefault({}),
  /** The account page (`/account`), where people manage their own second factors. */
  account: z
    .strictObject({
      /** How recent a multi-factor sign-in must be to add, rename or remove a factor. */
      stepUpMaxAgeSeconds: z.number().int().min(30).max(3600).default(300),
    })
    .prefault({}),
  /** The audit log of authentication and administrative events. */
  audit: z
    .strictObject({
      /** Days an event is kept; older events are deleted by the periodic sweep. */
      retentionDays: z.number().int().min(1).max(3650).default(90),
    })
    .prefault({}),
  /** The management API (`/api/v1`) and the dashboard. */
  admin: z
    .strictObject({
      /**
       * How recent a person's authentication must be for privileged changes (deleting, passwords,
       * roles, factors, client secrets and grants, keys, Actions, settings: every management route
       * marked `recentAuthentication`); older tokens get an RFC 9470 challenge with this max_age.
       */
      freshAuthSeconds: z.number().int().min(30).max(3600).default(300),
      /**
       * How often each node checks the store for signing keys rotated, settings and Actions changed on
       * another node; nodes also hear of a change at once (Redis pub/sub, or PostgreSQL LISTEN/NOTIFY).
       */
      changeCheckSeconds: z.number().int().min(1).max(300).default(15),
      /**
       * How long a client secret replaced by a rotation keeps working, so an application's servers
       * can move to the new one; a rotation may ask for less (0 ends the old secret at once).
       */
      secretRotationGraceSeconds: z
        .number()
        .int()
        .min(0)
        .max(30 * 24 * 3600)
        .default(24 * 3600),
    })
    .prefault({}),
  /** Post-login Actions: limits of the sandbox each script runs in, and how Actions are managed. */
  actions: z
    .strictObject({
      /**
       * Wall-clock time one Action may run; a script still running is stopped and the login denied.
       * Far above what a rule needs (about a millisecond), so a busy machine does not deny logins.
       */
      timeoutMs: z.number().int().min(10).max(10_000).default(500),
      /** Heap of one execution. */
      memoryLimitBytes: z
        .number()
        .int()
        .min(2 ** 20)
        .max(256 * 2 ** 20)
        .default(16 * 2 ** 20),
      /** Stack of one execution (recursion depth: about 1,500 plain calls at 256 KiB). */
      maxStackBytes: z
        .number()
        .int()
        .min(64 * 1024)
        .max(1024 * 1024)
        .default(256 * 1024),
      /** Console output kept per execution; an Action that writes more is stopped and the login denied. */
      logLimitBytes: z
        .number()
        .int()
        .min(1024)
        .max(2 ** 20)
        .default(16 * 1024),
      /** Executions kept in the execution log, per Action. */
      executionLogSize: z.number().int().min(1).max(10_000).default(100),
      /** Worker threads running Actions; each runs one at a time. */
      workers: z.number().int().min(1).max(32).default(2),
      /**
       * No longer used (also STEPUP_ADMIN_TOKEN): the management API under /api/v1 takes access tokens
       * from this provider. Still accepted so an old configuration starts, with a warning in the log.
       */
      adminToken: z.string().min(32, 'use at least 32 characters').optional(),
      /**
       * A folder of Action files loaded at start (configuration as code): `<name>.js`, run in file
       * name order (also STEPUP_ACTIONS_DIR).
       */
      directory: z.string().min(1).optional(),
    })
    .prefault({}),
});

export type StepupConfig = z.output<typeof configSchema> & { issuer: string };
export type StepupConfigInput = z.input<typeof configSchema>;
