import {
  readSettingsOverrides,
  writeSettingsOverrides,
} from '../../../packages/idp/src/admin/settings-overrides.ts';
import { configSchema } from '../../../packages/idp/src/config/config-schema.ts';
import type { StepupProvider } from '../../../packages/idp/src/stepup-provider.ts';

/**
 * The demo tenant's cap on push requests per account. A real tenant's default (5 per 15 minutes)
 * caps what someone holding a stolen password can send; the README's walk-through (approve, deny,
 * cancel, another factor, a wrong number…) sends more than that for alice alone.
 */
export const DEMO_PUSH_SENDS = { limit: 30, windowSeconds: 15 * 60 } as const;

/**
 * Stores the demo's push cap as an operator setting (the dashboard's factor settings show and change
 * it), once, when the tenant is created — unless the configuration or an operator already set one.
 */
export async function raiseDemoPushLimit(stepup: StepupProvider): Promise<void> {
  const defaults = configSchema.parse({}).push.sends;
  const running = stepup.config.push.sends;
  const configured = running.limit !== defaults.limit || running.windowSeconds !== defaults.windowSeconds;
  const overrides = await readSettingsOverrides(stepup.store.keys);
  if (configured || overrides.push?.sends !== undefined) return;
  await writeSettingsOverrides(stepup.store.keys, {
    ...overrides,
    push: { ...overrides.push, sends: { ...DEMO_PUSH_SENDS } },
  });
  await stepup.checkForChanges();
}
