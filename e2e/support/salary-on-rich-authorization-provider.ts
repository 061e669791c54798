import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ACR_MULTI_FACTOR } from '@stepup/core';
import { createSalaryApp } from '../../apps/salary/src/create-salary-app.ts';
import {
  createMemoryPayoutAccounts,
  type PayoutAccounts,
} from '../../apps/salary/src/payout/payout-accounts.ts';
import type { SalaryLogger } from '../../apps/salary/src/salary-logger.ts';
import {
  type RichAuthorizationProvider,
  startRichAuthorizationProvider,
} from './rich-authorization-provider.ts';

/** The salary app on a bare oidc-provider with rich authorization requests, and what a test reads. */
export interface SalaryOnRichAuthorizationProvider {
  app: string;
  op: RichAuthorizationProvider;
  accounts: PayoutAccounts;
  /** Every payout account saved, as `person iban holder`, in order. */
  saves: string[];
  /** The `@stepup/rp` error codes the app logged, in order. */
  warnings: string[];
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Starts the salary app, as `createSalaryApp` builds it, against `startRichAuthorizationProvider`:
 * the app's own in-memory payout accounts (the demo ones), with every save recorded.
 */
export async function startSalaryOnRichAuthorizationProvider(): Promise<SalaryOnRichAuthorizationProvider> {
  const port = await freePort();
  const app = `http://127.0.0.1:${port}`;
  const op = await startRichAuthorizationProvider(app);
  const saves: string[] = [];
  const warnings: string[] = [];
  const logger: SalaryLogger = {
    info: () => {},
    warn: (fields) => warnings.push(String(fields.error)),
    error: (fields) => warnings.push(`error ${JSON.stringify(fields)}`),
  };
  const memory = createMemoryPayoutAccounts();
  const accounts: PayoutAccounts = {
    find: (person) => memory.find(person),
    save(person, account) {
      saves.push(`${person} ${account.iban} ${account.holder}`);
      memory.save(person, account);
    },
  };
  const { app: salary } = await createSalaryApp({
    config: {
      issuer: op.issuer,
      clientId: 'rar-app',
      clientSecret: 'rar-app-secret-0123456789abcdef0123456789',
      baseUrl: app,
      port,
      host: '127.0.0.1',
      mfaAcr: ACR_MULTI_FACTOR,
      mfaMaxAge: undefined,
      idTokenAlg: 'RS256',
      sessionSecret: 'a session secret of at least thirty-two bytes for the salary app',
      sessionSecretGenerated: false,
    },
    logger,
    payoutAccounts: accounts,
  });
  const server: Server = salary.listen(port, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    app,
    op,
    accounts,
    saves,
    warnings,
    async close() {
      await new Promise((resolve) => server.close(resolve));
      await op.close();
    },
  };
}
