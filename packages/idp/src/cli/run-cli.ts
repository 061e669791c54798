import { ConfigError } from '../config/load-config.ts';
import type { CliCommand, CliIo } from './cli-command.ts';
import { actionsDeploy } from './commands/actions-deploy.ts';
import { actionsDisable, actionsEnable } from './commands/actions-enable.ts';
import { actionsList } from './commands/actions-list.ts';
import { actionsOrder } from './commands/actions-order.ts';
import { actionsShow } from './commands/actions-show.ts';
import { actionsTest } from './commands/actions-test.ts';
import { apiAdd } from './commands/api-add.ts';
import { authorizationDetailTypeAdd } from './commands/authorization-detail-type-add.ts';
import { clientAdd } from './commands/client-add.ts';
import { keysRotateSecret } from './commands/keys-rotate-secret.ts';
import { migrate } from './commands/migrate.ts';
import { pushEnrollLink } from './commands/push-enroll-link.ts';
import { start } from './commands/start.ts';
import { totpImport } from './commands/totp-import.ts';
import { userAdd } from './commands/user-add.ts';
import { userUnlock } from './commands/user-unlock.ts';
import { runCommands } from './run-commands.ts';

const COMMANDS: readonly CliCommand[] = [
  start,
  migrate,
  userAdd,
  userUnlock,
  clientAdd,
  totpImport,
  pushEnrollLink,
  apiAdd,
  authorizationDetailTypeAdd,
  actionsDeploy,
  actionsList,
  actionsShow,
  actionsEnable,
  actionsDisable,
  actionsOrder,
  actionsTest,
  keysRotateSecret,
];

/** Runs one `stepup-idp` invocation; returns the process exit code. */
export async function runCli(
  argv: readonly string[],
  io: CliIo,
  err: (line: string) => void,
): Promise<number> {
  return runCommands(
    {
      name: 'stepup-idp',
      commands: COMMANDS,
      reportFailure: (error) =>
        error instanceof ConfigError ? { message: `error: ${error.message}`, exitCode: 2 } : undefined,
    },
    argv,
    io,
    err,
  );
}
