import { toActionView } from '../../actions/action-views.ts';
import { type CliCommand, parseCommandArgs } from '../cli-command.ts';
import { withStore } from '../with-store.ts';

/** `stepup-idp actions list`. */
export const actionsList: CliCommand = {
  words: ['actions', 'list'],
  summary: 'list the Actions in the order they run',
  usage: 'stepup-idp actions list',
  async run(args, io) {
    parseCommandArgs(args, {}, 0);
    await withStore(io.env, async (store) => {
      const actions = (await store.actions.list()).map(toActionView);
      if (actions.length === 0) {
        io.out('no Actions (deploy one with: stepup-idp actions deploy <file> --trigger post-login)');
        return;
      }
      io.out(
        `${'#'.padEnd(4)}${'name'.padEnd(32)}${'trigger'.padEnd(12)}${'state'.padEnd(10)}${'version'.padEnd(9)}updated`,
      );
      for (const action of actions) {
        io.out(
          `${String(action.position).padEnd(4)}${action.name.padEnd(32)}${action.trigger.padEnd(12)}` +
            `${(action.enabled ? 'enabled' : 'disabled').padEnd(10)}${String(action.version).padEnd(9)}${action.updatedAt}`,
        );
      }
    });
  },
};
