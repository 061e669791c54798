// `npm run start -w apps/salary`: the salary app alone, against any OpenID provider (settings from
// the environment, see README.md "Configuration").
import type { Server } from 'node:http';
import { isStepupRpError } from '@stepup/rp';
import { readSalaryConfig, SalaryConfigError } from './config/salary-config.ts';
import { createSalaryApp } from './create-salary-app.ts';
import { createConsoleLogger } from './salary-logger.ts';
import { warnAboutGeneratedSessionSecret } from './session-secret-warning.ts';

const logger = createConsoleLogger();
try {
  const config = readSalaryConfig(process.env);
  if (config.sessionSecretGenerated) warnAboutGeneratedSessionSecret((line) => console.warn(line));
  const { app } = await createSalaryApp({ config, logger });
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(config.port, config.host, (error?: Error) =>
      error ? reject(error) : resolve(listening),
    );
  });
  console.log(`Salary app on ${config.baseUrl} (listening on ${config.host}:${config.port})`);
  console.log(`  provider  ${config.issuer}  client ${config.clientId}`);
  console.log(`  step-up   acr_values=${config.mfaAcr}, then amr must contain "mfa"`);
  const stop = () => server.close(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  if (error instanceof SalaryConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  if (isStepupRpError(error, 'discovery_failed', 'jwks_unavailable')) {
    console.error(
      `The provider at SALARY_ISSUER could not be reached: ${error.message} (${error.detail ?? ''})`,
    );
    process.exit(1);
  }
  if (error instanceof TypeError && error.message.startsWith('@stepup/rp:')) {
    console.error(error.message);
    process.exit(2);
  }
  logger.error({ err: String(error) }, 'the salary app did not start');
  process.exit(1);
}
