import { ConfigError } from '../config/load-config.ts';
import type { CliCommand, CliIo } from './cli-command.ts';
import { UsageError } from './cli-command.ts';
import { actionsDeploy } from './commands/actions-deploy.ts';
import { actionsDisable, actionsEnable } from './commands/actions-enable.ts';
import { actionsList } from './commands/actions-list.ts';
import { actionsOrder } from './commands/actions-order.ts';
import { actionsShow } from './commands/actions-show.ts';
import { actionsTest } from './commands/actions-test.ts';
import { apiAdd } from './commands/api-add.ts';
import { clientAdd } from './commands/client-add.ts';
import { start } from './commands/start.ts';
import { totpImport } from './commands/totp-import.ts';
import { userAdd } from './commands/user-add.ts';

const COMMANDS: readonly CliCommand[] = [
  start,
  userAdd,
  clientAdd,
  totpImport,
  apiAdd,
  actionsDeploy,
  actionsList,
  actionsShow,
  actionsEnable,
  actionsDisable,
  actionsOrder,
  actionsTest,
];

function overview(): string {
  return [
    'usage: stepup-idp <command> [options]   (--help after a command for its options)',
    '',
    ...COMMANDS.map((command) => `  ${command.words.join(' ').padEnd(14)} ${command.summary}`),
  ].join('\n');
}

/** Runs one CLI invocation; returns the process exit code. */
export async function runCli(
  argv: readonly string[],
  io: CliIo,
  err: (line: string) => void,
): Promise<number> {
  const command = COMMANDS.find((candidate) => candidate.words.every((word, index) => argv[index] === word));
  if (!command) {
    const help = argv.length === 0 || argv[0] === '--help' || argv[0] === 'help';
    (help ? io.out : err)(help ? overview() : `unknown command "${argv.join(' ')}"\n\n${overview()}`);
    return help ? 0 : 2;
  }
  const args = argv.slice(command.words.length);
  if (args.includes('--help') || args.includes('-h')) {
    io.out(`${command.summary}\n\nusage: ${command.usage}`);
    return 0;
  }
  try {
    await command.run(args, io);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      err(`error: ${error.message}\n\nusage: ${command.usage}`);
      return 2;
    }
    if (error instanceof ConfigError) {
      err(`error: ${error.message}`);
      return 2;
    }
    throw error;
  }
}
