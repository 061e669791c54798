import type { SecretBox } from '../crypto/secret-box.ts';

/** Secret names as Auth0 writes them: an identifier, conventionally upper case. */
export const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const MAX_SECRET_LENGTH = 4096;

/** The sealing context binds a sealed record to its Action: it can not be moved to another one. */
export function actionSecretsContext(actionName: string): string {
  return `stepup:action-secrets:${actionName}`;
}

/**
 * Seals an Action's secrets for the store (AES-256-GCM under the provider's key). Empty secrets seal
 * to null. Throws a `TypeError` for a name or value no Action could use.
 */
export function sealActionSecrets(
  box: SecretBox,
  actionName: string,
  secrets: Readonly<Record<string, string>>,
): string | null {
  const names = Object.keys(secrets);
  for (const name of names) {
    if (!SECRET_NAME.test(name)) throw new TypeError(`secret name "${name}" is not an identifier`);
    const value = secrets[name];
    if (typeof value !== 'string' || value.length > MAX_SECRET_LENGTH) {
      throw new TypeError(`secret ${name} must be a string of at most ${MAX_SECRET_LENGTH} characters`);
    }
  }
  return names.length === 0 ? null : box.seal(JSON.stringify(secrets), actionSecretsContext(actionName));
}

/** Opens what `sealActionSecrets` sealed; throws when the record was altered or the key changed. */
export function openActionSecrets(
  box: SecretBox,
  actionName: string,
  sealed: string | null,
): Record<string, string> {
  if (sealed === null) return {};
  const value: unknown = JSON.parse(box.open(sealed, actionSecretsContext(actionName)));
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error('sealed Action secrets do not hold an object');
  }
  return value as Record<string, string>;
}

/** A string as it appears inside JSON text (between the quotes). */
function jsonEscaped(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}

/**
 * Replaces every occurrence of a secret's value in `text` with `[secret NAME]`, so that an Action
 * that logs or throws its secrets does not put them in a report of its run: as is, and as it reads
 * once or twice escaped in JSON text (a logged object, a summary of a logged object). Values shorter
 * than 4 characters are left alone: masking them would garble the text and hide nothing.
 */
export function maskSecrets(text: string, secrets: Readonly<Record<string, string>>): string {
  let masked = text;
  for (const [name, value] of Object.entries(secrets)) {
    if (value.length < 4) continue;
    const once = jsonEscaped(value);
    for (const form of new Set([jsonEscaped(once), once, value])) {
      masked = masked.split(form).join(`[secret ${name}]`);
    }
  }
  return masked;
}

/** `maskSecrets` over every string of a JSON value, keys included: the `api` calls an Action made. */
export function maskSecretsDeep<T>(value: T, secrets: Readonly<Record<string, string>>): T {
  if (typeof value === 'string') return maskSecrets(value, secrets) as T;
  if (Array.isArray(value)) return value.map((item) => maskSecretsDeep(item, secrets)) as T;
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [maskSecrets(key, secrets), maskSecretsDeep(item, secrets)]),
  ) as T;
}
