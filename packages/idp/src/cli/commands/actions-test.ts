import { readFile } from 'node:fs/promises';
import { testAction } from '../../actions/test-action.ts';
import { type CliCommand, parseCommandArgs, UsageError } from '../cli-command.ts';
import { withActionManagement } from './actions-cli-context.ts';

export const actionsTest: CliCommand = {
  words: ['actions', 'test'],
  summary: 'test-run an Action against a sample login and print what it did',
  usage:
    'stepup-idp actions test <name> [--event <json file>]\n' +
    '  The file holds parts of the event to change, e.g. {"client":{"client_id":"payroll"}}.',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { event: { type: 'string' } }, 1);
    const name = positionals[0] ?? '';
    let overrides: unknown;
    if (values.event !== undefined) {
      try {
        overrides = JSON.parse(await readFile(values.event, 'utf8'));
      } catch (error) {
        throw new UsageError(`--event ${values.event}: ${(error as Error).message}`);
      }
    }
    await withActionManagement(io.env, async (deps) => {
      const result = await testAction(name, overrides, deps);
      io.out(`outcome   ${result.outcome}${result.errorCode ? ` (${result.errorCode})` : ''}`);
      if (result.errorDetail) io.out(`error     ${result.errorDetail}`);
      io.out(`duration  ${result.durationMs.toFixed(2)} ms`);
      io.out(`api calls (${result.callSummary.length}):`);
      for (const call of result.callSummary) io.out(`  ${call}`);
      io.out(`console (${result.logs.length} lines):`);
      for (const line of result.logs) io.out(`  ${line}`);
    });
  },
};
