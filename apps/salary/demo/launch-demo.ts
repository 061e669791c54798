import { createServer, type Server } from 'node:http';
import type { StepupRpOptions } from '@stepup/rp';
import type { Logger } from 'pino';
import { loadConfig } from '../../../packages/idp/src/config/load-config.ts';
import { createLogger } from '../../../packages/idp/src/log/create-logger.ts';
import { createStepupProvider, type StepupProvider } from '../../../packages/idp/src/stepup-provider.ts';
import { readSalaryConfig, SEED_MFA_ACR } from '../src/config/salary-config.ts';
import { createSalaryApp, type SalaryApp } from '../src/create-salary-app.ts';
import { payoutAccountResource } from '../src/payout/payout-account-change.ts';
import type { SalaryRecords } from '../src/salary-records.ts';
import { warnAboutGeneratedSessionSecret } from '../src/session-secret-warning.ts';
import { printDemoBanner } from './demo-banner.ts';
import { type DemoTenant, ensureDemoTenant, loadDemoSecrets } from './demo-tenant.ts';

export interface LaunchDemoOptions {
  /** Settings: the provider's (`IDP_PORT`, `IDP_HOST`, `STEPUP_*`) and the app's (`APP_PORT`, `SALARY_*`). */
  env?: NodeJS.ProcessEnv;
  /** The provider's logger (the app logs through a child of it); default from `STEPUP_LOG_LEVEL`. */
  logger?: Logger;
  /** Where the instructions go; default stdout. */
  print?: (line: string) => void;
  /** Payroll data for the app; default the demo company's. */
  records?: SalaryRecords;
  /** More `@stepup/rp` options for the app (tests). */
  rpOptions?: Partial<StepupRpOptions>;
}

export interface RunningDemo {
  stepup: StepupProvider;
  salary: SalaryApp;
  /** The provider's issuer. */
  issuer: string;
  /** The app's public URL. */
  appUrl: string;
  /** Undefined when demo mode is off. */
  tenant: DemoTenant | undefined;
  close(): Promise<void>;
}

/** `STEPUP_DEMO`: on unless set to false or 0. */
export function isDemoMode(env: NodeJS.ProcessEnv): boolean {
  const value = env.STEPUP_DEMO ?? '';
  if (value === '' || value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new Error(`Invalid setting STEPUP_DEMO: "${value}" (use true or false)`);
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * The provider and the salary app in one process, as `npm start` runs them (and the browser tests):
 * the provider first (the app discovers it), then — in demo mode — the demo tenant, then the app.
 */
export async function launchDemo(options: LaunchDemoOptions = {}): Promise<RunningDemo> {
  const env = options.env ?? process.env;
  const print = options.print ?? ((line: string) => console.log(line));
  const demo = isDemoMode(env);
  const config = loadConfig(env);
  const logger = options.logger ?? createLogger(config.logLevel);
  const stepup = await createStepupProvider(config, { logger });
  let server: Server | undefined;
  try {
    await stepup.listen();
    const clientId = env.SALARY_CLIENT_ID || 'salary';
    const secrets = demo ? loadDemoSecrets(config.dataDir) : undefined;
    const registered = await stepup.store.clients.find(clientId);
    const registeredAlg = registered?.id_token_signed_response_alg;
    const mfaAcr = env.SALARY_MFA_ACR || SEED_MFA_ACR;
    // The app asks for MFA no older than the provider keeps the level, so both agree on when it ends.
    const mfaMaxAge = stepup.ladder.levels.find((level) => level.acr === mfaAcr)?.maxAge;
    const salaryConfig = readSalaryConfig({
      ...env,
      SALARY_ISSUER: config.issuer,
      SALARY_CLIENT_ID: clientId,
      SALARY_CLIENT_SECRET: env.SALARY_CLIENT_SECRET || secrets?.content.clientSecret || '',
      SALARY_SESSION_SECRET: env.SALARY_SESSION_SECRET || secrets?.content.sessionSecret || '',
      SALARY_ID_TOKEN_ALG:
        env.SALARY_ID_TOKEN_ALG ||
        (demo ? 'HS256' : typeof registeredAlg === 'string' ? registeredAlg : 'RS256'),
      SALARY_MFA_MAX_AGE: env.SALARY_MFA_MAX_AGE || (mfaMaxAge === undefined ? '' : String(mfaMaxAge)),
      APP_HOST: env.APP_HOST || config.host,
    });
    if (salaryConfig.sessionSecretGenerated) warnAboutGeneratedSessionSecret(print);

    const salary = await createSalaryApp({
      config: salaryConfig,
      logger: logger.child({ component: 'salary' }),
      ...(options.records ? { records: options.records } : {}),
      ...(options.rpOptions ? { rpOptions: options.rpOptions } : {}),
    });
    let tenant: DemoTenant | undefined;
    if (secrets) {
      tenant = await ensureDemoTenant(stepup, {
        secrets,
        clientId,
        ...(env.SALARY_CLIENT_SECRET ? { clientSecret: env.SALARY_CLIENT_SECRET } : {}),
        redirectUri: new URL(salary.rp.routes.callback, salary.rp.baseUrl).href,
        postLogoutRedirectUri: new URL('/', salary.rp.baseUrl).href,
        payoutResource: payoutAccountResource(salaryConfig.baseUrl),
      });
      logger.warn(
        {
          demo: true,
          created: tenant.created,
          employees: tenant.employees.map((employee) => employee.username),
          action: tenant.action,
          file: tenant.file,
        },
        tenant.created
          ? 'DEMO tenant created: made-up employees with known passwords; for trying Stepup only (STEPUP_DEMO=false turns it off)'
          : 'DEMO mode: the demo tenant of this data folder is active (STEPUP_DEMO=false turns it off)',
      );
    } else if (registered === undefined) {
      logger.warn({ clientId }, 'demo mode is off and no client is registered for the salary app');
    }

    server = createServer(salary.app);
    await listen(server, salaryConfig.port, salaryConfig.host);
    const running = server;
    printDemoBanner(print, {
      issuer: config.issuer,
      appUrl: salaryConfig.baseUrl,
      host: config.host,
      port: config.port,
      appHost: salaryConfig.host,
      dataDir: config.dataDir,
      tenant,
      clientId,
      clientRegistered: registered !== undefined || tenant !== undefined,
    });
    return {
      stepup,
      salary,
      issuer: config.issuer,
      appUrl: salaryConfig.baseUrl,
      tenant,
      async close() {
        running.closeAllConnections();
        await new Promise<void>((resolve) => running.close(() => resolve()));
        await stepup.close();
      },
    };
  } catch (error) {
    server?.closeAllConnections();
    server?.close();
    await stepup.close();
    throw error;
  }
}
