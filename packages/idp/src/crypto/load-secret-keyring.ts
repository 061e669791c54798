import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StepupConfig } from '../config/config-schema.ts';
import { ConfigError } from '../config/load-config.ts';
import { makeFilePrivate, preparePrivateDataDir } from '../data-dir/private-data-dir.ts';
import { SecretKeyring } from './secret-keyring.ts';

/** The key file of the embedded default, in the data folder beside (never inside) the database. */
export const DATA_DIR_KEY_FILE_NAME = 'secret-keys';

/** Others may read it, or anyone but its owner may write it. */
const KEY_FILE_TOO_OPEN = 0o027;

export type SecretKeyringConfig = Pick<
  StepupConfig,
  'secretKey' | 'secretKeyFile' | 'databaseUrl' | 'dataDir'
>;

export interface LoadedSecretKeyring {
  keyring: SecretKeyring;
  /** The file the keys were read from; undefined when they came from `secretKey` (STEPUP_SECRET_KEY). */
  file: string | undefined;
  /** True when this start created the data folder's key file. */
  created: boolean;
}

/**
 * The keyring the configuration names: `secretKey`, else `secretKeyFile`, else (SQLite only) the
 * data folder's key file, created at first start. With PostgreSQL and no key it refuses to start:
 * a key each node made for itself would differ between nodes, and one kept in the database would be
 * in every dump of it.
 */
export function loadSecretKeyring(config: SecretKeyringConfig): LoadedSecretKeyring {
  if (config.secretKey !== undefined) {
    return {
      keyring: parseKeyring(config.secretKey, 'Invalid setting STEPUP_SECRET_KEY'),
      file: undefined,
      created: false,
    };
  }
  if (config.secretKeyFile !== undefined) {
    const file = config.secretKeyFile;
    let mode: number;
    let text: string;
    try {
      mode = statSync(file).mode;
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new ConfigError(
        `Invalid setting STEPUP_SECRET_KEY_FILE: cannot read ${file} (${(error as NodeJS.ErrnoException).code})`,
      );
    }
    if ((mode & KEY_FILE_TOO_OPEN) !== 0) {
      throw new ConfigError(
        `Invalid setting STEPUP_SECRET_KEY_FILE: ${file} can be read or written by others ` +
          `(mode ${(mode & 0o777).toString(8)}); make it private with: chmod 600 ${file}`,
      );
    }
    return {
      keyring: parseKeyring(text, `Invalid setting STEPUP_SECRET_KEY_FILE (${file})`),
      file,
      created: false,
    };
  }
  if (config.databaseUrl !== undefined) {
    throw new ConfigError(
      'Invalid setting STEPUP_SECRET_KEY: with a PostgreSQL database (STEPUP_DATABASE_URL) every node needs ' +
        'the same encryption key, from outside the database: generate one with `openssl rand -base64 32`, ' +
        'keep it in your secret manager, and give it to every node as STEPUP_SECRET_KEY or in a file named ' +
        'by STEPUP_SECRET_KEY_FILE',
    );
  }
  preparePrivateDataDir(config.dataDir);
  const file = join(config.dataDir, DATA_DIR_KEY_FILE_NAME);
  const created = createKeyFileIfAbsent(file, SecretKeyring.generateKey());
  makeFilePrivate(file);
  return { keyring: parseKeyring(readFileSync(file, 'utf8'), `Invalid key file ${file}`), file, created };
}

/**
 * Replaces the key file with `text` in one step (a reader sees the old ring or the new one, never
 * half of one), readable by its owner only.
 */
export function replaceKeyFile(file: string, text: string): void {
  const next = `${file}.${randomBytes(6).toString('hex')}.next`;
  writeFileSync(next, `${text}\n`, { mode: 0o600, flag: 'wx' });
  renameSync(next, file);
}

/**
 * Writes the whole file aside, then links it into place: the link fails when the file exists, so of
 * two processes starting at once one creates it and both read the same complete key.
 */
function createKeyFileIfAbsent(file: string, key: string): boolean {
  const draft = `${file}.${randomBytes(6).toString('hex')}.new`;
  writeFileSync(draft, `${key}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(draft, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSync(draft);
  }
}

/** `where` starts the message: the setting or the file, never the key. */
function parseKeyring(text: string, where: string): SecretKeyring {
  try {
    return SecretKeyring.parse(text);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    throw new ConfigError(`${where}: ${error.message}`);
  }
}
