import type { CliCommand, CliIo } from '../../cli/cli-command.ts';
import { UsageError } from '../../cli/cli-command.ts';
import { DeviceRequestError } from '../device-request-error.ts';
import { enroll, listen, respond } from './authenticator-commands.ts';

const COMMANDS: readonly CliCommand[] = [enroll, listen, respond];

function overview(): string {
  return [
    'usage: stepup-authenticator <command> [options]   (--help after a command for its options)',
    '',
    ...COMMANDS.map((command) => `  ${command.words.join(' ').padEnd(10)} ${command.summary}`),
  ].join('\n');
}

/**
 * The terminal authenticator: the same protocol as the app at /authenticator, with the key in a
 * file. Returns the exit code: 0 done, 1 refused by the provider, 2 wrong usage.
 */
export async function runAuthenticatorCli(
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
    if (error instanceof DeviceRequestError) {
      err(`refused: ${error.code}: ${error.message}`);
      return 1;
    }
    throw error;
  }
}
