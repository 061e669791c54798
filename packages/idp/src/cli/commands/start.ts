import { loadConfig } from '../../config/load-config.ts';
import { createStepupProvider } from '../../stepup-provider.ts';
import { type CliCommand, parseCommandArgs } from '../cli-command.ts';

export const start: CliCommand = {
  words: ['start'],
  summary: 'run the provider (settings from the environment and STEPUP_CONFIG)',
  usage: 'stepup-idp start',
  async run(args, io) {
    parseCommandArgs(args, {}, 0);
    const config = loadConfig(io.env);
    const stepup = await createStepupProvider(config);
    const address = await stepup.listen();
    stepup.logger.info({ address, issuer: config.issuer, dataDir: config.dataDir }, 'provider listening');
    io.out(`Stepup provider listening on ${address}`);
    io.out(`  issuer     ${config.issuer}`);
    io.out(`  discovery  ${config.issuer}/.well-known/openid-configuration`);
    io.out(`  data       ${config.dataDir}`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await stepup.close();
  },
};
