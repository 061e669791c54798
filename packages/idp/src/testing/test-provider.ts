import { mkdtempSync, rmSync } from 'node:fs';
import type { Agent } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { hashPassword } from '../accounts/password-hashing.ts';
import { deployAction } from '../actions/deploy-action.ts';
import { protectClientSecret } from '../client-secrets/stored-client-secret.ts';
import { configSchema, type StepupConfigInput } from '../config/config-schema.ts';
import { TotpFactor } from '../factors/totp/totp-factor.ts';
import { createStepupProvider, type StepupProvider } from '../stepup-provider.ts';
import type { ClientMetadata } from '../store/clients.ts';
import type { Store } from '../store/store.ts';
import type { User } from '../store/users.ts';

export interface TestProvider {
  stepup: StepupProvider;
  issuer: string;
  /** Where this node answers: the issuer's origin, unless it was started with another node's issuer. */
  origin: string;
  dataDir: string;
  /** An email address given here counts as verified unless `emailVerified: false`. */
  addUser(
    username: string,
    password: string,
    extra?: { email?: string; emailVerified?: boolean; name?: string },
  ): Promise<User>;
  addClient(metadata: Partial<ClientMetadata> & { client_id: string }): Promise<void>;
  importTotp(userId: string, secret: string): Promise<void>;
  /** Deploys and enables a post-login Action (with its secrets), as `stepup-idp actions deploy` does. */
  deployAction(name: string, code: string, secrets?: Record<string, string>): Promise<void>;
  /** Stops the server; keeps the data folder unless `removeData` (the default) is true. */
  close(options?: { removeData?: boolean }): Promise<void>;
}

export const TEST_REDIRECT_URI = 'http://127.0.0.1:9/callback';

/**
 * The encryption key of test providers over PostgreSQL, which refuse to start without one; fixed, so
 * a restart over the same database opens what the last start sealed. For tests only.
 */
export const POSTGRES_TEST_SECRET_KEY = Buffer.alloc(32, 0x5e).toString('base64url');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A real provider on a free loopback port over a SQLite file in a temporary folder (or the PostgreSQL
 * database at `databaseUrl`): the whole product as it runs, with nothing stubbed. Pass `dataDir` (or
 * the same `databaseUrl`) to restart over the same data.
 */
export async function startTestProvider(
  settings: Partial<StepupConfigInput> & {
    dataDir?: string;
    port?: number;
    logger?: Logger;
    /** The provider's clock (epoch seconds), for tests that move time forward. */
    clock?: () => number;
    /**
     * A store opened by the test, used instead of the one the configuration names (with `databaseUrl`,
     * a PostgreSQL database; without, SQLite in `dataDir`). The provider closes it when it stops.
     */
    store?: Store;
    /** Trusts a test push service's certificate for Web Push. */
    webPushAgent?: Agent;
    /** oidc-provider's outgoing requests, e.g. to a client's jwks_uri on loopback. */
    outboundFetch?: typeof fetch;
    /**
     * `https` names the issuer `https://localhost:port` while the server still answers plain HTTP on
     * that port, as a node behind a proxy that terminates TLS does.
     */
    issuerScheme?: 'http' | 'https';
  } = {},
): Promise<TestProvider> {
  const port = settings.port ?? (await freePort());
  const dataDir = settings.dataDir ?? mkdtempSync(join(tmpdir(), 'stepup-test-'));
  // A second node of the same installation is given the first one's issuer: it answers on its own
  // port as if behind the same proxy.
  const issuer = settings.issuer ?? `${settings.issuerScheme ?? 'http'}://localhost:${port}`;
  const {
    logger = pino({ level: 'silent' }),
    clock,
    store,
    webPushAgent,
    outboundFetch,
    issuerScheme: _issuerScheme,
    ...configInput
  } = settings;
  const config = {
    ...configSchema.parse({
      logLevel: 'silent',
      ...(configInput.databaseUrl && !configInput.secretKeyFile
        ? { secretKey: POSTGRES_TEST_SECRET_KEY }
        : {}),
      ...configInput,
      port,
      dataDir,
      issuer,
    }),
    issuer,
  };
  const stepup = await createStepupProvider(config, {
    logger,
    ...(clock ? { clock } : {}),
    ...(store ? { store } : {}),
    ...(webPushAgent ? { webPushAgent } : {}),
    ...(outboundFetch ? { outboundFetch } : {}),
  });
  await stepup.listen();

  return {
    stepup,
    issuer,
    origin: `http://localhost:${port}`,
    dataDir,
    async addUser(username, password, extra = {}) {
      return stepup.store.users.create({
        username,
        passwordHash: await hashPassword(password),
        email: extra.email ?? null,
        emailVerified: extra.emailVerified ?? true,
        name: extra.name ?? null,
        now: Math.floor(Date.now() / 1000),
      });
    },
    async addClient(metadata) {
      const secretBox = stepup.secretKeyring;
      const registration = {
        redirect_uris: [TEST_REDIRECT_URI],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        ...metadata,
      };
      await stepup.store.clients.upsert(protectClientSecret(registration, secretBox));
    },
    async importTotp(userId, secret) {
      await new TotpFactor(stepup.store.factors, stepup.secretKeyring).enroll(
        userId,
        secret,
        'test',
        Math.floor(Date.now() / 1000),
      );
    },
    async deployAction(name, code, secrets) {
      await deployAction(
        { name, trigger: 'post-login', code, ...(secrets ? { secrets } : {}) },
        {
          actions: stepup.store.actions,
          secretBox: stepup.secretKeyring,
          sandbox: stepup.actionSandbox,
          settings: config.actions,
        },
      );
    },
    async close(options = {}) {
      await stepup.close();
      if (options.removeData ?? true) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
