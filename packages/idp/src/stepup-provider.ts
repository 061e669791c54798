import type { AcrLadder } from '@stepup/core';
import type { FastifyInstance } from 'fastify';
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import type { StepupConfig } from './config/config-schema.ts';
import { configuredLadder } from './config/load-config.ts';
import { resolveEmailSettings } from './factors/email-otp/email-settings.ts';
import { createMailer } from './factors/email-otp/mailer.ts';
import { TotpFactor } from './factors/totp/totp-factor.ts';
import { WebAuthnFactor } from './factors/webauthn/webauthn-factor.ts';
import { relyingPartyFor } from './factors/webauthn/webauthn-relying-party.ts';
import { createServer } from './http/create-server.ts';
import { createAuthEventLogger } from './log/auth-events.ts';
import { createLogger } from './log/create-logger.ts';
import { createProvider } from './oidc/create-provider.ts';
import { loadProviderKeys } from './oidc/provider-keys.ts';
import { openSqliteStore } from './store/sqlite/sqlite-store.ts';
import type { Store } from './store/store.ts';
import { PasswordThrottle } from './throttle/password-throttle.ts';

export interface StepupProvider {
  config: StepupConfig;
  ladder: AcrLadder;
  store: Store;
  provider: Provider;
  app: FastifyInstance;
  logger: Logger;
  /** Starts listening; resolves with the address actually bound. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

export interface StepupProviderOptions {
  store?: Store;
  logger?: Logger;
  /** Seconds since the epoch; tests move time forward with it. */
  clock?: () => number;
}

/** Assembles the provider from its configuration: store, keys, oidc-provider, HTTP server. */
export async function createStepupProvider(
  config: StepupConfig,
  options: StepupProviderOptions = {},
): Promise<StepupProvider> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const clock = options.clock ?? (() => Math.floor(Date.now() / 1000));
  const store = options.store ?? openSqliteStore({ dataDir: config.dataDir });
  const ladder = configuredLadder(config);
  const keys = await loadProviderKeys(store.keys);
  if (keys.created) logger.info('generated new signing keys, cookie keys and an encryption key in the store');
  const logAuthEvent = createAuthEventLogger(logger);
  const provider = createProvider({ config, ladder, store, keys, logger, logAuthEvent, clock });
  const app = await createServer({
    config,
    provider,
    store,
    ladder,
    logger,
    clock,
    logAuthEvent,
    cookieKeys: keys.cookieKeys,
    secretBox: keys.secretBox,
    totp: new TotpFactor(store.factors, keys.secretBox),
    webauthn: new WebAuthnFactor({
      relyingParty: relyingPartyFor(config.issuer),
      credentials: store.webauthnCredentials,
      challenges: store.webauthnChallenges,
    }),
    passwordThrottle: new PasswordThrottle(store.attempts, config.throttling),
    mailer: createMailer(resolveEmailSettings(config), logger),
  });

  return {
    config,
    ladder,
    store,
    provider,
    app,
    logger,
    async listen() {
      return app.listen({ port: config.port, host: config.host });
    },
    async close() {
      await app.close();
      await store.close();
    },
  };
}
