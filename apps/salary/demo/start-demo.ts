// `npm start`: the provider and the salary app in one process, with the demo tenant on first start.
// Settings from the environment (README.md, "Configuration"); stop with Ctrl+C.
import { ConfigError } from '../../../packages/idp/src/config/load-config.ts';
import { SalaryConfigError } from '../src/config/salary-config.ts';
import { launchDemo } from './launch-demo.ts';

try {
  const demo = await launchDemo();
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  console.log('Stopping…');
  await demo.close();
} catch (error) {
  const known = error instanceof ConfigError || error instanceof SalaryConfigError;
  const code = (error as NodeJS.ErrnoException).code;
  if (known || (error instanceof Error && error.message.startsWith('Invalid setting'))) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  }
  if (code === 'EADDRINUSE') {
    console.error(`${(error as Error).message}: another program uses that port. Set IDP_PORT or APP_PORT.`);
    process.exit(1);
  }
  throw error;
}
