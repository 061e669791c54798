import { UsageError } from '../cli-command.ts';

/** Auth0's limits for a client's metadata: at most 10 keys, keys and values of at most 255 characters. */
const MAX_ENTRIES = 10;
const MAX_LENGTH = 255;
const KEY = /^[A-Za-z0-9_.:-]{1,255}$/;
/** Printable text on one line: the value reaches Actions and may be copied into tokens. */
const VALUE = /^[^\p{Cc}\p{Cf}\u2028\u2029]*$/u;

/**
 * Reads the repeatable `--metadata key=value` option of `client add` into the registration's
 * `metadata`, which the post-login Actions see as `event.client.metadata` (string values, as in
 * Auth0). The value is everything after the first `=` and may be empty. Throws `UsageError` naming
 * the entry for a missing `=`, a key outside letters, digits and `_ . : -`, a repeated key, a value
 * that is too long or has control characters, or more than ten entries.
 */
export function readClientMetadataOption(entries: readonly string[]): Record<string, string> {
  if (entries.length > MAX_ENTRIES) {
    throw new UsageError(`--metadata: at most ${MAX_ENTRIES} entries, got ${entries.length}`);
  }
  const metadata: Record<string, string> = {};
  for (const entry of entries) {
    const separator = entry.indexOf('=');
    if (separator === -1) throw new UsageError(`--metadata: "${entry}" is not key=value`);
    const key = entry.slice(0, separator);
    const value = entry.slice(separator + 1);
    if (!KEY.test(key)) {
      throw new UsageError(`--metadata: key "${key}" must be 1 to ${MAX_LENGTH} letters, digits or _ . : -`);
    }
    if (Object.hasOwn(metadata, key)) throw new UsageError(`--metadata: key "${key}" is given twice`);
    if (value.length > MAX_LENGTH || !VALUE.test(value)) {
      throw new UsageError(
        `--metadata: the value of "${key}" must be at most ${MAX_LENGTH} printable characters on one line`,
      );
    }
    metadata[key] = value;
  }
  return metadata;
}
