import { configSchema, type StepupConfig, type StepupConfigInput } from '../config/config-schema.ts';
import type { NewAuditEvent } from '../store/audit-events.ts';
import type { KeysRepository } from '../store/keys.ts';

/** The name under which operators' setting changes are kept in the store's key-value table. */
const OVERRIDES_KEY = 'settings-overrides';

/** The parts of the configuration operators may change through the management API. */
export type SettingsOverrides = Pick<
  StepupConfigInput,
  'push' | 'throttling' | 'acrLadder' | 'rememberBrowser' | 'factors'
> & {
  email?: { enabled?: boolean };
  admin?: { freshAuthSeconds?: number };
};

export async function readSettingsOverrides(keys: KeysRepository): Promise<SettingsOverrides> {
  return JSON.parse((await keys.get(OVERRIDES_KEY)) ?? '{}') as SettingsOverrides;
}

/** Stores the overrides, and `auditEvent` with them in one transaction when given. */
export async function writeSettingsOverrides(
  keys: KeysRepository,
  overrides: SettingsOverrides,
  auditEvent?: NewAuditEvent,
): Promise<void> {
  await keys.setAll([[OVERRIDES_KEY, JSON.stringify(overrides)]], auditEvent);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep merge of plain objects; arrays and values replace. */
export function mergeSettings<T>(base: T, changes: unknown): T {
  if (!isPlainObject(base) || !isPlainObject(changes)) return (changes === undefined ? base : changes) as T;
  const merged: Record<string, unknown> = { ...base };
  for (const [name, value] of Object.entries(changes)) merged[name] = mergeSettings(merged[name], value);
  return merged as T;
}

/**
 * The configuration with the stored overrides applied, validated by the same schema as the file: an
 * override that the schema refuses is a start-up error naming the setting.
 */
export function applySettingsOverrides(config: StepupConfig, overrides: SettingsOverrides): StepupConfig {
  const merged = mergeSettings(config, overrides);
  return { ...configSchema.parse(merged), issuer: config.issuer };
}
