import { hashPassword } from '../../accounts/password-hashing.ts';
import { checkNewPassword } from '../../accounts/password-policy.ts';
import { StoreConflictError } from '../../store/errors.ts';
import { ADMIN_ROLE } from '../../store/user-management.ts';
import { type CliCommand, parseCommandArgs, UsageError } from '../cli-command.ts';
import { withStore } from '../with-store.ts';

export const userAdd: CliCommand = {
  words: ['user', 'add'],
  summary:
    'create a user who signs in with a password (--admin: an operator of the dashboard and management API)',
  usage:
    'stepup-idp user add <username> --password <password> [--email <address> [--email-unverified]] [--name <full name>] [--admin]',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        password: { type: 'string' },
        email: { type: 'string' },
        'email-unverified': { type: 'boolean' },
        name: { type: 'string' },
        admin: { type: 'boolean' },
      },
      1,
    );
    const username = positionals[0] ?? '';
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(username)) {
      throw new UsageError('username: use 1 to 64 letters, digits, dots, dashes or underscores');
    }
    const password = values.password;
    if (password === undefined) throw new UsageError('--password is required');
    const email = values.email;
    if (email !== undefined && !/^[^\s@]+@[^\s@]+$/.test(email))
      throw new UsageError(`--email: "${email}" is not an address`);

    await withStore(io.env, async (store, config) => {
      const problem = await checkNewPassword(password, {
        minLength: config.passwords.minLength,
        accountWords: [username, email],
      });
      if (problem) throw new UsageError(`--password: ${problem.message}`);
      try {
        const user = await store.users.create({
          username,
          email: email ?? null,
          // The operator vouches for the address unless told otherwise; only a verified one is a factor.
          emailVerified: values['email-unverified'] !== true,
          name: values.name ?? null,
          passwordHash: await hashPassword(password),
          now: Math.floor(Date.now() / 1000),
        });
        if (values.admin) await store.userManagement.update(user.id, { roles: [ADMIN_ROLE] });
        io.out(
          `created user ${user.username} (id ${user.id})${values.admin ? ', an operator: the dashboard asks for a second factor at the first sign-in' : ''}`,
        );
      } catch (error) {
        if (error instanceof StoreConflictError)
          throw new UsageError(`a user with that username or email already exists`);
        throw error;
      }
    });
  },
};
