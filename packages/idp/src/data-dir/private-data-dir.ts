import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { ConfigError } from '../config/load-config.ts';

/** Group or others may write: they could swap the database or a key file. */
const WRITABLE_BY_OTHERS = 0o022;

/**
 * Makes the data folder (0700) if it is missing and refuses one that group or others can write. It
 * holds password hashes, signing keys and the key file: what lands in it must stay the service's.
 */
export function preparePrivateDataDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { mode } = statSync(dir);
  if ((mode & WRITABLE_BY_OTHERS) !== 0) {
    throw new ConfigError(
      `Invalid setting STEPUP_DATA_DIR: ${dir} is writable by group or others ` +
        `(mode ${(mode & 0o777).toString(8)}); make it private with: chmod 700 ${dir}`,
    );
  }
}

/**
 * Makes `file` readable and writable by its owner only: creates it empty (0600) when missing, and
 * narrows the mode of one an earlier release left readable by others. SQLite gives its -wal and -shm
 * files the mode of the database file, so preparing the database file covers them when they are new.
 */
export function makeFilePrivate(file: string): void {
  if (!existsSync(file)) {
    // `a`: never truncates a file another process created since the check.
    closeSync(openSync(file, 'a', 0o600));
  }
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
}
