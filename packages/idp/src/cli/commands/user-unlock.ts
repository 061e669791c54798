import { clearSignInLocks, readSignInLocks } from '../../throttle/sign-in-locks.ts';
import { type CliCommand, parseCommandArgs, UsageError } from '../cli-command.ts';
import { withStore } from '../with-store.ts';

export const userUnlock: CliCommand = {
  words: ['user', 'unlock'],
  summary:
    "clear a user's consecutive failed passwords and wrong second-factor codes, lifting their sign-in locks",
  usage: 'stepup-idp user unlock <username>',
  async run(args, io) {
    const { positionals } = parseCommandArgs(args, {}, 1);
    const username = positionals[0] ?? '';
    if (!username) throw new UsageError('username is required');
    await withStore(io.env, async (store, config) => {
      const user = await store.users.findByLogin(username);
      if (!user) throw new UsageError(`no user "${username}"`);
      const now = Math.floor(Date.now() / 1000);
      const before = await readSignInLocks(store, config, user.id, now);
      await clearSignInLocks(store, config, user.id);
      // The same audit event as the management API's; the CLI has no caller or address to record.
      await store.auditEvents.append({
        time: now,
        type: 'admin.user.sign_in_lock_cleared',
        outcome: 'success',
        userId: user.id,
        details: {
          password_failures: before.password.failures,
          code_failures: before.codes.failures,
          via: 'cli',
        },
      });
      io.out(
        `cleared ${user.username}: ${before.password.failures} failed passwords${before.password.locked ? ' (locked)' : ''}, ${before.codes.failures} wrong codes${before.codes.locked ? ' (locked)' : ''}`,
      );
    });
  },
};
