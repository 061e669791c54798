import type { CliCommand, CliIo } from '../../cli/cli-command.ts';
import { runCommands } from '../../cli/run-commands.ts';
import { DeviceRequestError } from '../device-request-error.ts';
import { enroll, listen, respond } from './authenticator-commands.ts';

const COMMANDS: readonly CliCommand[] = [enroll, listen, respond];

/**
 * The terminal authenticator: the same protocol as the app at /authenticator, with the key in a
 * file. Returns the exit code: 0 done, 1 refused by the provider, 2 wrong usage.
 */
export async function runAuthenticatorCli(
  argv: readonly string[],
  io: CliIo,
  err: (line: string) => void,
): Promise<number> {
  return runCommands(
    {
      name: 'stepup-authenticator',
      commands: COMMANDS,
      reportFailure: (error) =>
        error instanceof DeviceRequestError
          ? { message: `refused: ${error.code}: ${error.message}`, exitCode: 1 }
          : undefined,
    },
    argv,
    io,
    err,
  );
}
