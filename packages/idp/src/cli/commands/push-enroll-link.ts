import { createInProcessPushNotifier } from '../../factors/push/in-process-push-notifier.ts';
import { issuePushEnrollment } from '../../factors/push/issue-push-enrollment.ts';
import { createPushContext } from '../../factors/push/push-context.ts';
import { type CliCommand, parseCommandArgs, UsageError } from '../cli-command.ts';
import { withStore } from '../with-store.ts';

export const pushEnrollLink: CliCommand = {
  words: ['push', 'enroll-link'],
  summary: 'print a single-use, short-lived link that adds a push device (phone or terminal) to a user',
  usage: 'stepup-idp push enroll-link <username>',
  async run(args, io) {
    const { positionals } = parseCommandArgs(args, {}, 1);
    const username = positionals[0] ?? '';
    if (!username) throw new UsageError('username is required');
    await withStore(io.env, async (store, config) => {
      const user = await store.users.findByLogin(username);
      if (!user) throw new UsageError(`no user "${username}"`);
      const context = createPushContext({
        store,
        config,
        // Issuing a token notifies nobody; the device enrolls against the running provider.
        notifier: createInProcessPushNotifier(),
        logAuthEvent: () => {},
      });
      const { link, expiresAt } = await issuePushEnrollment(
        context,
        { userId: user.id, interactionUid: null },
        Math.floor(Date.now() / 1000),
      );
      io.out(link);
      io.out(
        `works once, until ${new Date(expiresAt * 1000).toISOString()}; open it on the device, or run: npx stepup-authenticator enroll '<link>' --key-file <file> --name <name>`,
      );
    });
  },
};
