import { loadConfig } from '../../config/load-config.ts';
import { loadSecretKeyring, replaceKeyFile } from '../../crypto/load-secret-keyring.ts';
import { SecretKeyring } from '../../crypto/secret-keyring.ts';
import { type CliCommand, parseCommandArgs } from '../cli-command.ts';

export const keysRotateSecret: CliCommand = {
  words: ['keys', 'rotate-secret'],
  summary: 'add a new current encryption key; the provider re-seals the secrets under it after its restart',
  usage: 'stepup-idp keys rotate-secret',
  async run(args, io) {
    parseCommandArgs(args, {}, 0);
    const config = loadConfig(io.env);
    const { keyring, file } = loadSecretKeyring(config);
    const key = SecretKeyring.generateKey();
    const rotated = [key, ...keyring.keyTexts()];
    const next = SecretKeyring.parse(rotated.join(' '));
    const kept = keyring.keyIds.join(', ');
    if (file !== undefined) {
      replaceKeyFile(file, rotated.join('\n'));
      io.out(`added key ${next.currentKeyId} as the current encryption key in ${file} (kept: ${kept})`);
      io.out(
        'Restart the provider: it seals with the new key, and re-seals the TOTP seeds and Action secrets in the background.',
      );
      io.out(
        'Several nodes reading one such file: roll the new key out in two steps instead, last then first (docs/deployment.md, Keys).',
      );
    } else {
      // The keys come from STEPUP_SECRET_KEY, which this process cannot change for the nodes.
      io.out(`new key ${next.currentKeyId}; the keys in STEPUP_SECRET_KEY now: ${kept}`);
      io.out(
        '1. On every node, add the new key last, so every node can open what it seals, and restart them:',
      );
      io.out(`   STEPUP_SECRET_KEY=${[...keyring.keyTexts(), key].join(',')}`);
      io.out(
        '2. Then put it first, so it seals, and restart the nodes again; they re-seal in the background:',
      );
      io.out(`   STEPUP_SECRET_KEY=${rotated.join(',')}`);
    }
    io.out(
      `Retire an old key (remove it from the list) only once every node has logged "every sealed secret is under the current key" ` +
        `and the longest token lifetime (ttl.refreshToken, ttl.session) has passed since it stopped being current: ` +
        'the refresh tokens, codes and sessions whose ids were hashed under it can no longer be found without it.',
    );
  },
};
