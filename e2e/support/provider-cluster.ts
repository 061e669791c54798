import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword } from '../../packages/idp/src/accounts/password-hashing.ts';
import type { DeviceCredentials } from '../../packages/idp/src/authenticator/device-key.ts';
import { credentialsFromKeyFile } from '../../packages/idp/src/authenticator/device-key-file.ts';
import { enrollDevice } from '../../packages/idp/src/authenticator/enroll-device.ts';
import { protectClientSecret } from '../../packages/idp/src/client-secrets/stored-client-secret.ts';
import type { StepupConfig } from '../../packages/idp/src/config/config-schema.ts';
import { loadConfig } from '../../packages/idp/src/config/load-config.ts';
import { loadSecretKeyring } from '../../packages/idp/src/crypto/load-secret-keyring.ts';
import { SecretKeyring } from '../../packages/idp/src/crypto/secret-keyring.ts';
import { createInProcessPushNotifier } from '../../packages/idp/src/factors/push/in-process-push-notifier.ts';
import { issuePushEnrollment } from '../../packages/idp/src/factors/push/issue-push-enrollment.ts';
import { createPushContext } from '../../packages/idp/src/factors/push/push-context.ts';
import { TotpFactor } from '../../packages/idp/src/factors/totp/totp-factor.ts';
import { loadProviderKeys } from '../../packages/idp/src/oidc/provider-keys.ts';
import type { ClientMetadata } from '../../packages/idp/src/store/clients.ts';
import { openStore } from '../../packages/idp/src/store/open-store.ts';
import type { Store } from '../../packages/idp/src/store/store.ts';
import type { User } from '../../packages/idp/src/store/users.ts';
import { TEST_REDIRECT_URI } from '../../packages/idp/src/testing/test-provider.ts';
import { freePort, type NodeCommand, type ProviderNode, startProviderNode } from './provider-node.ts';
import { type RoundRobinProxy, startRoundRobinProxy } from './round-robin-proxy.ts';

/** Provider nodes over one PostgreSQL database and one Redis, behind a round-robin proxy. */
export interface ProviderCluster {
  /** The proxy's URL: the issuer every node is configured with, and where clients go. */
  issuer: string;
  proxy: RoundRobinProxy;
  /** Index i is the node the proxy calls node i. */
  nodes: ProviderNode[];
  /** The configuration the nodes run with. */
  config: StepupConfig;
  /** The cluster's store, opened by the test as a CLI command would, for setting up data. */
  store: Store;
  /** Replaces node i (after it stopped or was killed) with a fresh process on a new port. */
  restartNode(index: number): Promise<void>;
  addUser(username: string, password: string): Promise<User>;
  importTotp(userId: string, secret: string): Promise<void>;
  addClient(metadata: Partial<ClientMetadata> & { client_id: string }): Promise<void>;
  /** Enrolls a push device for the user through the proxy, as the authenticator app does. */
  enrollDevice(userId: string): Promise<DeviceCredentials>;
  close(): Promise<void>;
}

export interface ProviderClusterOptions {
  databaseUrl: string;
  redisUrl: string;
  redisKeyPrefix: string;
  nodes: number;
  /** Further settings for every node, e.g. a bench's `STEPUP_CONFIG` or a quieter log level. */
  env?: Record<string, string>;
  /** From the sources (default) or the built package. */
  command?: NodeCommand;
}

/** Starts the nodes together over the empty database, as a fresh deployment does. */
export async function startProviderCluster(options: ProviderClusterOptions): Promise<ProviderCluster> {
  const proxyPort = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'stepup-cluster-'));
  const env: Record<string, string> = {
    STEPUP_ISSUER: `http://localhost:${proxyPort}`,
    STEPUP_DATABASE_URL: options.databaseUrl,
    STEPUP_REDIS_URL: options.redisUrl,
    STEPUP_REDIS_KEY_PREFIX: options.redisKeyPrefix,
    // One key for every node, from outside the database, as a real deployment's secret manager gives it.
    STEPUP_SECRET_KEY: SecretKeyring.generateKey(),
    // Unused with PostgreSQL; set so no node writes into the working directory.
    STEPUP_DATA_DIR: dataDir,
    STEPUP_LOG_LEVEL: 'error',
    ...options.env,
  };
  const nodes = await Promise.all(
    Array.from({ length: options.nodes }, () => startProviderNode(env, options.command)),
  );
  const proxy = await startRoundRobinProxy(proxyPort, () => nodes.map((node) => node.port));
  const config = loadConfig(env);
  const store = await openStore(config);
  const now = () => Math.floor(Date.now() / 1000);

  return {
    issuer: env.STEPUP_ISSUER as string,
    proxy,
    nodes,
    config,
    store,
    async restartNode(index) {
      await nodes[index]?.stop('SIGKILL');
      nodes[index] = await startProviderNode(env, options.command);
    },
    async addUser(username, password) {
      return store.users.create({ username, passwordHash: await hashPassword(password), now: now() });
    },
    async importTotp(userId, secret) {
      const { secretBox } = await loadProviderKeys(store, loadSecretKeyring(config).keyring);
      await new TotpFactor(store.factors, secretBox).enroll(userId, secret, 'test', now());
    },
    async addClient(metadata) {
      const { secretBox } = await loadProviderKeys(store, loadSecretKeyring(config).keyring);
      const registration = {
        redirect_uris: [TEST_REDIRECT_URI],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        ...metadata,
      };
      await store.clients.upsert(protectClientSecret(registration, secretBox));
    },
    async enrollDevice(userId) {
      const context = createPushContext({
        store,
        config,
        notifier: createInProcessPushNotifier(),
        logAuthEvent: () => {},
      });
      const { link } = await issuePushEnrollment(context, { userId, interactionUid: null }, now());
      return credentialsFromKeyFile(await enrollDevice(link, 'Phone'));
    },
    async close() {
      await Promise.all(nodes.map((node) => node.stop()));
      await proxy.close();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
