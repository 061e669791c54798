import { reorderActions } from '../../actions/reorder-actions.ts';
import { type CliCommand, parseCommandArgs, UsageError } from '../cli-command.ts';
import { withActionManagement } from './actions-cli-context.ts';

/** `stepup-idp actions order`. */
export const actionsOrder: CliCommand = {
  words: ['actions', 'order'],
  summary: 'set the order post-login Actions run in (those not named follow)',
  usage: 'stepup-idp actions order <name> [<name>…]',
  async run(args, io) {
    // Every argument is a name: any option is refused as unknown.
    const { positionals } = parseCommandArgs(args, {}, args.length);
    if (positionals.length === 0) throw new UsageError('name at least one Action');
    await withActionManagement(io.env, async ({ actions }) => {
      await reorderActions(actions, 'post-login', positionals);
      const order = (await actions.list()).filter((action) => action.trigger === 'post-login');
      io.out(`post-login Actions run in this order: ${order.map((action) => action.name).join(', ')}`);
    });
  },
};
