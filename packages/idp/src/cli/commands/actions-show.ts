import { showAction } from '../../actions/action-views.ts';
import { type CliCommand, parseCommandArgs } from '../cli-command.ts';
import { withActionManagement } from './actions-cli-context.ts';

/** `stepup-idp actions show`. */
export const actionsShow: CliCommand = {
  words: ['actions', 'show'],
  summary: 'show an Action: code, secret names (never values), versions, last executions',
  usage: 'stepup-idp actions show <name> [--executions <count>]',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { executions: { type: 'string' } }, 1);
    const count = Number(values.executions ?? 10);
    const name = positionals[0] ?? '';
    await withActionManagement(io.env, async ({ actions }) => {
      const action = await showAction(actions, name, Number.isInteger(count) && count >= 0 ? count : 10);
      io.out(`Action ${action.name} (${action.id})`);
      io.out(
        `  trigger   ${action.trigger}, position ${action.position}, ${action.enabled ? 'enabled' : 'disabled'}`,
      );
      io.out(`  version   ${action.version} of ${action.versions.length}, updated ${action.updatedAt}`);
      io.out(`  secrets   ${action.secretNames.length > 0 ? action.secretNames.join(', ') : '(none)'}`);
      io.out('  code:');
      for (const line of action.code.split('\n')) io.out(`    ${line}`);
      io.out(`  last executions (${action.recentExecutions.length}):`);
      for (const run of action.recentExecutions) {
        const error = run.errorCode ? ` ${run.errorCode}: ${run.errorDetail ?? ''}` : '';
        io.out(
          `    ${run.startedAt} v${run.version} ${run.outcome} ${run.durationMs} ms user ${run.userId} client ${run.clientId}${error}`,
        );
        for (const call of run.calls) io.out(`      api   ${call}`);
        for (const line of run.logs) io.out(`      ${line}`);
      }
    });
  },
};
