import type { Agent } from 'node:https';
import type { AcrLadder } from '@stepup/core';
import type { FastifyInstance } from 'fastify';
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import { createBackgroundMail } from './accounts/background-mail.ts';
import { loadActionsDirectory } from './actions/load-actions-directory.ts';
import { LoginActions } from './actions/login-actions.ts';
import { ActionSandbox } from './actions/sandbox/action-sandbox.ts';
import { registerManagementApi } from './admin/management-api.ts';
import { provisionManagementApi } from './admin/provision-management-api.ts';
import { applySettingsOverrides, readSettingsOverrides } from './admin/settings-overrides.ts';
import { warnLegacyClientScopes } from './admin/warn-legacy-client-scopes.ts';
import { protectLegacyClientSecrets } from './client-secrets/protect-legacy-client-secrets.ts';
import type { StepupConfig } from './config/config-schema.ts';
import { configuredLadder } from './config/load-config.ts';
import { startBackgroundResealing } from './crypto/background-resealing.ts';
import { loadSecretKeyring } from './crypto/load-secret-keyring.ts';
import type { SecretKeyring } from './crypto/secret-keyring.ts';
import { resolveEmailSettings } from './factors/email-otp/email-settings.ts';
import { createMailer } from './factors/email-otp/mailer.ts';
import { withHashedInteractionTopics } from './factors/push/hashed-interaction-topics.ts';
import { createInProcessPushNotifier } from './factors/push/in-process-push-notifier.ts';
import { createRedisPushNotifier } from './factors/push/redis-push-notifier.ts';
import { loadVapidKeys } from './factors/push/web-push-keys.ts';
import { withWebPush } from './factors/push/web-push-notifier.ts';
import { registerWebPushRoutes } from './factors/push/web-push-routes.ts';
import { createWebPushSender } from './factors/push/web-push-sender.ts';
import { TotpFactor } from './factors/totp/totp-factor.ts';
import { WebAuthnFactor } from './factors/webauthn/webauthn-factor.ts';
import { relyingPartyFor } from './factors/webauthn/webauthn-relying-party.ts';
import { createServer, type ServedRoute } from './http/create-server.ts';
import type { InteractionKit } from './interaction/interaction-kit.ts';
import { ConfigChangeWatcher } from './live-config/config-change-watcher.ts';
import { applyLiveSettings } from './live-config/live-settings.ts';
import { openConfigChangeSignal } from './live-config/open-config-change-signal.ts';
import { createAuthEventLogger } from './log/auth-events.ts';
import { createLogger } from './log/create-logger.ts';
import { AuthorizationDetailTypesRegistry } from './oidc/authorization-detail-types-registry.ts';
import { createProvider, type ProviderDependencies } from './oidc/create-provider.ts';
import { longestTokenLifetime } from './oidc/longest-token-lifetime.ts';
import { loadProviderKeys } from './oidc/provider-keys.ts';
import { readServedSigningKeys, retireSigningKeys } from './oidc/signing-key-rotation.ts';
import { RememberedBrowsers } from './remember-browser/remembered-browsers.ts';
import { withBearerIdHashing } from './store/bearer-ids/with-bearer-id-hashing.ts';
import { CachedEnabledActions } from './store/cached-enabled-actions.ts';
import { openStore } from './store/open-store.ts';
import type { Store } from './store/store.ts';
import { PasswordThrottle } from './throttle/password-throttle.ts';

export interface StepupProvider {
  config: StepupConfig;
  ladder: AcrLadder;
  store: Store;
  /** The encryption keys, from outside the store (`STEPUP_SECRET_KEY`, a key file). */
  secretKeyring: SecretKeyring;
  /** The oidc-provider instance serving requests now (a key rotation swaps in a new one). */
  readonly provider: Provider;
  app: FastifyInstance;
  /** Every route Fastify serves (oidc-provider's endpoints are mounted beside them, not listed). */
  routes: readonly ServedRoute[];
  logger: Logger;
  /** The workers that run post-login Actions (deploys check a script's load with them too). */
  actionSandbox: ActionSandbox;
  /**
   * Reads the store and applies signing keys and settings changed there (by another node, or with the
   * clock moved past a retired key's time); runs every `admin.changeCheckSeconds` by itself.
   */
  checkForChanges(): Promise<void>;
  /** Resolves once the authentication events logged so far are in the audit log (appends run behind requests). */
  auditWritesSettled(): Promise<void>;
  /** Resolves once the reset links and password notices handed over so far were sent (or failed). */
  accountMailSettled(): Promise<void>;
  /** Resolves once the start's pass re-sealing secrets under the current key has ended. */
  resealingSettled(): Promise<void>;
  /** Starts listening; resolves with the address actually bound. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

export interface StepupProviderOptions {
  store?: Store;
  logger?: Logger;
  /** Seconds since the epoch; tests move time forward with it. */
  clock?: () => number;
  /** For Web Push through a push service whose certificate a private CA signed (tests). */
  webPushAgent?: Agent;
  /**
   * oidc-provider's outgoing requests (a client's `jwks_uri`), for tests whose key server is on a
   * loopback address, which oidc-provider's own guard refuses to reach. Omitted: oidc-provider's.
   */
  outboundFetch?: typeof fetch;
}

/** How often rows whose lifetime has ended are deleted. */
const EXPIRED_ROWS_SWEEP_MS = 10 * 60 * 1000;

/** Assembles the provider from its configuration: store, keys, oidc-provider, HTTP server. */
export async function createStepupProvider(
  config: StepupConfig,
  options: StepupProviderOptions = {},
): Promise<StepupProvider> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const clock = options.clock ?? (() => Math.floor(Date.now() / 1000));
  // Before the store: a multi-node setup without a shared key is refused before it writes anything.
  const secretKeys = loadSecretKeyring(config);
  if (secretKeys.created) {
    logger.warn(
      { file: secretKeys.file },
      'generated the encryption key file: back it up, apart from the database (without it, the TOTP seeds, Action secrets and signing keys in the database are lost)',
    );
  }
  const openedStore = options.store ?? (await openStore(config, { logger, clock }));
  // The signing, cookie and Web Push keys are sealed under the keyring: a database used with another
  // secret key stops the start here, before anything is written to it.
  const { sealedKeys, ...storedKeys } = await loadProviderKeys(openedStore, secretKeys.keyring, logger).catch(
    async (error: unknown) => {
      await openedStore.close();
      throw error;
    },
  );
  // The keyring keys the hashes too, current key first: a rotation keeps earlier tokens findable.
  const bearerIdKeys = secretKeys.keyring.bearerIdKeys();
  // Tokens, codes, session and interaction ids are stored under a keyed hash; rows an earlier
  // release stored in clear are rewritten before the first request.
  const bearerIds = await withBearerIdHashing({ ...openedStore, keys: sealedKeys }, bearerIdKeys);
  // Every login and refresh asks for the enabled Actions; they are read again after a change (below).
  const enabledActions = new CachedEnabledActions(bearerIds.store.actions);
  const store: Store = { ...bearerIds.store, actions: enabledActions };
  // Operators' changes made through the management API apply over the configuration file.
  const overrides = await readSettingsOverrides(store.keys);
  config = applySettingsOverrides(config, overrides);
  const ladder = configuredLadder(config);
  // Keys rotated out before this start stop signing now; they stay published while tokens they signed live.
  await retireSigningKeys(store.keys, clock(), await longestTokenLifetime(config, store.resourceServers));
  // A rotation's new keys are published at once but sign only from their activation time.
  const keys = { ...storedKeys, signingJwks: (await readServedSigningKeys(store.keys, clock())).signingJwks };
  if (keys.created) logger.info('generated new signing keys and cookie keys in the store');
  await protectLegacyClientSecrets(store.clients, keys.secretBox, logger);
  const resealing = startBackgroundResealing({
    sealedSecrets: store.sealedSecrets,
    keyring: keys.secretBox,
    logger,
  });
  const logAuthEvent = createAuthEventLogger(logger, { auditEvents: store.auditEvents, clock });
  // The step-up check asks the login interaction's factors what a person has enrolled; both exist
  // before the first request is served.
  let interactionKit: InteractionKit | undefined;
  const enrolledMethods = async (accountId: string) =>
    (await interactionKit?.enrolledMethods(accountId)) ?? [];
  const actionSandbox = new ActionSandbox({
    workers: config.actions.workers,
    maxStackBytes: config.actions.maxStackBytes,
  });
  if (config.actions.directory) {
    const loaded = await loadActionsDirectory(config.actions.directory, store.actions, {
      sandbox: actionSandbox,
      settings: config.actions,
    });
    logger.info(
      { actions: loaded.map(({ name, version }) => ({ name, version })) },
      'loaded Actions from folder',
    );
  }
  await actionSandbox.warmUp();
  const loginActions = new LoginActions({
    issuer: config.issuer,
    store,
    sandbox: actionSandbox,
    secretBox: keys.secretBox,
    logger,
    settings: config.actions,
    ladder,
    logAuthEvent,
    tenantId: new URL(config.issuer).hostname,
  });
  const rememberedBrowsers = new RememberedBrowsers({
    users: store.users,
    cookieKeys: keys.cookieKeys,
    settings: config.rememberBrowser,
  });
  await provisionManagementApi(store, config);
  const authorizationDetailTypes = new AuthorizationDetailTypesRegistry(
    store.authorizationDetailTypes,
    logger.child({ component: 'authorization-details' }),
  );
  const providerDependencies: ProviderDependencies = {
    authorizationDetailTypes,
    config,
    ladder,
    store,
    keys,
    logger,
    logAuthEvent,
    clock,
    loginActions,
    enrolledMethods,
    rememberedBrowsers,
    ...(options.outboundFetch ? { outboundFetch: options.outboundFetch } : {}),
  };
  const provider = createProvider(providerDependencies);
  // Several nodes: a push answered through one node wakes the login page waiting on another.
  const notices = config.redisUrl
    ? await createRedisPushNotifier({
        url: config.redisUrl,
        channelPrefix: config.redis.keyPrefix,
        commandTimeoutMs: config.redis.commandTimeoutMs,
        logger,
      })
    : createInProcessPushNotifier();
  const webPush = config.push.webPush;
  const webPushSender =
    webPush.enabled && webPush.subject
      ? createWebPushSender({
          pushDevices: store.pushDevices,
          vapid: await loadVapidKeys(store.keys),
          subject: webPush.subject,
          allowedHosts: webPush.allowedHosts,
          logger,
          ...(options.webPushAgent ? { agent: options.webPushAgent } : {}),
        })
      : undefined;
  // Push records name the login by its hashed interaction id: so do the topics that wake it.
  const pushNotifier = withHashedInteractionTopics(
    webPushSender
      ? withWebPush(notices, { sender: webPushSender, pushChallenges: store.pushChallenges, logger })
      : notices,
    bearerIdKeys,
  );
  const mailer = createMailer(resolveEmailSettings(config), logger);
  const accountMail = createBackgroundMail(mailer, logger.child({ component: 'email' }));
  const server = await createServer({
    pushNotifier,
    loginActions,
    actionSandbox,
    config,
    provider,
    store,
    ladder,
    logger,
    clock,
    logAuthEvent,
    cookieKeys: keys.cookieKeys,
    secretBox: keys.secretBox,
    rememberedBrowsers,
    totp: new TotpFactor(store.factors, keys.secretBox),
    webauthn: new WebAuthnFactor({
      relyingParty: relyingPartyFor(config.issuer),
      credentials: store.webauthnCredentials,
      challenges: store.webauthnChallenges,
    }),
    passwordThrottle: new PasswordThrottle(store, config.throttling),
    mailer,
    accountMail,
  });
  interactionKit = server.interactionKit;
  const { app, providerMount, routes } = server;
  if (webPushSender) {
    registerWebPushRoutes(app, {
      publicKey: webPushSender.publicKey,
      pushDevices: store.pushDevices,
      logAuthEvent,
      clock,
      allowedHosts: config.push.webPush.allowedHosts,
    });
  }
  // Signing keys rotated and settings changed on any node apply on every node without a restart.
  // Cookie keys never change with them, so sessions and interactions carry over.
  let signingJwks = keys.signingJwks;
  const changeWatcher = new ConfigChangeWatcher({
    keys: store.keys,
    clock,
    logger,
    signal: await openConfigChangeSignal(config, logger),
    intervalSeconds: config.admin.changeCheckSeconds,
    running: { signingJwks, overrides },
    applySigningKeys: (next) => {
      providerMount.swap(createProvider({ ...providerDependencies, keys: { ...keys, signingJwks: next } }));
      signingJwks = next;
    },
    applySettings: (next) => applyLiveSettings(config, next),
    forgetCachedReads: () => {
      enabledActions.forget();
      authorizationDetailTypes.forget();
    },
  });
  await changeWatcher.start();
  await registerManagementApi(app, {
    config,
    store,
    ladder,
    keys,
    signingJwks: () => signingJwks,
    applyChanges: () => changeWatcher.applyChanges(),
    logger,
    clock,
    actionSandbox,
  });
  await warnLegacyClientScopes(store.clients, logger);
  if (config.actions.adminToken) {
    logger.warn(
      'actions.adminToken (STEPUP_ADMIN_TOKEN) is no longer used: the management API takes access tokens',
    );
  }

  const deleteExpiredRows = async () => {
    try {
      const now = clock();
      const deleted =
        (await store.deleteExpired(now)) +
        (await store.auditEvents.deleteOlderThan(now - config.audit.retentionDays * 24 * 3600));
      if (deleted > 0) logger.debug({ deleted }, 'deleted expired rows');
      // Instances an older node stored in clear while nodes were being upgraded one by one.
      const hashed = await bearerIds.hashPlainBearerIds();
      if (hashed > 0) logger.info({ hashed }, 'hashed bearer ids stored in clear');
    } catch (error) {
      logger.warn({ err: error }, 'could not delete expired rows; will try again');
    }
  };
  await deleteExpiredRows();
  const sweeper = setInterval(deleteExpiredRows, EXPIRED_ROWS_SWEEP_MS);
  sweeper.unref();

  return {
    config,
    ladder,
    store,
    secretKeyring: keys.secretBox,
    get provider() {
      return providerMount.current;
    },
    app,
    routes,
    logger,
    actionSandbox,
    checkForChanges: () => changeWatcher.check(),
    auditWritesSettled: () => logAuthEvent.settled(),
    accountMailSettled: () => accountMail.settled(),
    resealingSettled: () => resealing.settled(),
    async listen() {
      return app.listen({ port: config.port, host: config.host });
    },
    async close() {
      clearInterval(sweeper);
      await resealing.stop();
      await changeWatcher.close();
      await app.close();
      await logAuthEvent.settled();
      await accountMail.settled();
      await actionSandbox.close();
      await pushNotifier.close();
      await store.close();
    },
  };
}
