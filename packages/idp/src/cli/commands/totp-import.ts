import { loadSecretKeyring } from '../../crypto/load-secret-keyring.ts';
import { isUsableTotpSecret } from '../../factors/totp/totp.ts';
import { TotpFactor } from '../../factors/totp/totp-factor.ts';
import { loadProviderKeys } from '../../oidc/provider-keys.ts';
import { type CliCommand, parseCommandArgs, UsageError } from '../cli-command.ts';
import { withStore } from '../with-store.ts';

export const totpImport: CliCommand = {
  words: ['totp', 'import'],
  summary: 'give a user an existing TOTP secret (e.g. migrated from another provider)',
  usage: 'stepup-idp totp import <username> <base32-secret> [--name <factor name>]',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { name: { type: 'string' } }, 2);
    const [username = '', rawSecret = ''] = positionals;
    const secret = rawSecret.replace(/\s+/g, '').toUpperCase();
    if (!isUsableTotpSecret(secret)) {
      throw new UsageError(
        'base32-secret: expected a base32 secret (A–Z, 2–7) of at least 128 bits (26 characters)',
      );
    }
    await withStore(io.env, async (store, config) => {
      const user = await store.users.findByLogin(username);
      if (!user) throw new UsageError(`no user "${username}"`);
      const { secretBox } = await loadProviderKeys(store, loadSecretKeyring(config).keyring);
      const factor = await new TotpFactor(store.factors, secretBox).enroll(
        user.id,
        secret,
        values.name ?? 'Imported authenticator',
        Math.floor(Date.now() / 1000),
      );
      io.out(`imported TOTP factor ${factor.id} for ${user.username}`);
    });
  },
};
