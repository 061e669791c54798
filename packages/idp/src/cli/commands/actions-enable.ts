import { setActionEnabled } from '../../actions/set-action-enabled.ts';
import { type CliCommand, parseCommandArgs } from '../cli-command.ts';
import { withActionManagement } from './actions-cli-context.ts';

function switchCommand(enabled: boolean): CliCommand {
  const word = enabled ? 'enable' : 'disable';
  return {
    words: ['actions', word],
    summary: enabled
      ? 'run an Action again at its place in the order'
      : 'stop running an Action (it keeps its place)',
    usage: `stepup-idp actions ${word} <name>`,
    async run(args, io) {
      const { positionals } = parseCommandArgs(args, {}, 1);
      const name = positionals[0] ?? '';
      await withActionManagement(io.env, async ({ actions }) => {
        await setActionEnabled(actions, name, enabled);
        io.out(`Action ${name} ${enabled ? 'enabled' : 'disabled'}`);
      });
    },
  };
}

/** `stepup-idp actions enable` and `actions disable`. */
export const actionsEnable = switchCommand(true);
export const actionsDisable = switchCommand(false);
