import { applySettingsOverrides, type SettingsOverrides } from '../admin/settings-overrides.ts';
import type { StepupConfig } from '../config/config-schema.ts';

/**
 * The settings a running provider applies as soon as an operator changes them. Each is read at
 * request time from the running configuration object (or an object inside it), so changing the value
 * in place is enough. Everything else an operator may change (the acr ladder: oidc-provider's
 * `acrValues` and every step-up decision are built from it at start) applies at the next start.
 */
export const LIVE_SETTING_PATHS: readonly (readonly string[])[] = [
  ['push'],
  ['throttling'],
  ['email', 'enabled'],
  ['factors'],
  ['rememberBrowser'],
  ['admin', 'freshAuthSeconds'],
];

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Copies `source` into `target` without replacing nested objects, which readers may hold. */
function assignInPlace(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(source)) {
    const current = target[name];
    if (isPlainObject(current) && isPlainObject(value)) assignInPlace(current, value);
    else target[name] = value;
  }
}

/**
 * Applies the live settings of the stored overrides to the running configuration, in place. The
 * overrides are validated by the configuration schema first: when they do not pass (written by a
 * newer build, say), this throws and nothing changes.
 */
export function applyLiveSettings(running: StepupConfig, overrides: SettingsOverrides): void {
  const effective = applySettingsOverrides(running, overrides) as unknown as Record<string, unknown>;
  const target = running as unknown as Record<string, unknown>;
  for (const path of LIVE_SETTING_PATHS) {
    const parentPath = path.slice(0, -1);
    const name = path.at(-1) as string;
    let from: unknown = effective;
    let to: unknown = target;
    for (const part of parentPath) {
      from = isPlainObject(from) ? from[part] : undefined;
      to = isPlainObject(to) ? to[part] : undefined;
    }
    if (!isPlainObject(from) || !isPlainObject(to) || !(name in from)) continue;
    assignInPlace(to, { [name]: from[name] });
  }
}
