import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { deployAction } from '../../actions/deploy-action.ts';
import { type CliCommand, parseCommandArgs, UsageError } from '../cli-command.ts';
import { withActionManagement } from './actions-cli-context.ts';

/** `stepup-idp actions deploy`. */
export const actionsDeploy: CliCommand = {
  words: ['actions', 'deploy'],
  summary: 'deploy an Action from a file (a new version); secrets are stored encrypted',
  usage:
    'stepup-idp actions deploy <file> --trigger post-login [--name <name>] [--secret KEY=VALUE | --secret KEY …]\n' +
    '    [--remove-secret KEY …] [--disabled]\n' +
    '  --secret KEY (no value) reads the value from the environment variable KEY, keeping it out of\n' +
    '  the shell history. Secrets not named keep their values from the current version.',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        trigger: { type: 'string' },
        name: { type: 'string' },
        secret: { type: 'string', multiple: true },
        'remove-secret': { type: 'string', multiple: true },
        disabled: { type: 'boolean' },
      },
      1,
    );
    const file = positionals[0] ?? '';
    if (values.trigger === undefined) throw new UsageError('--trigger is required (post-login)');
    const name = values.name ?? basename(file, extname(file));
    const secrets: Record<string, string> = {};
    for (const entry of values.secret ?? []) {
      const separator = entry.indexOf('=');
      const key = separator === -1 ? entry : entry.slice(0, separator);
      const value = separator === -1 ? io.env[key] : entry.slice(separator + 1);
      if (value === undefined)
        throw new UsageError(`--secret ${key}: no value, and no environment variable ${key}`);
      secrets[key] = value;
    }
    let code: string;
    try {
      code = await readFile(file, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
    }
    await withActionManagement(io.env, async (deps) => {
      const { action, changed } = await deployAction(
        {
          name,
          trigger: values.trigger ?? '',
          code,
          secrets,
          removeSecrets: values['remove-secret'] ?? [],
          enabled: values.disabled !== true,
        },
        deps,
      );
      const state = action.enabled ? 'enabled' : 'disabled';
      io.out(
        changed
          ? `deployed Action ${action.name} version ${action.version} (${action.trigger}, ${state}, position ${action.position})`
          : `Action ${action.name} is unchanged at version ${action.version}`,
      );
      if (action.secretNames.length > 0) io.out(`  secrets: ${action.secretNames.join(', ')}`);
    });
  },
};
