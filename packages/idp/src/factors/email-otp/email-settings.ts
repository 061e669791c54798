import { join } from 'node:path';
import type { StepupConfig } from '../../config/config-schema.ts';

/** The `email` settings with the defaults that depend on other settings filled in. */
export type EmailSettings = StepupConfig['email'] & { from: string; outboxDir: string };

/** Fills in the sender (no-reply@ the issuer's host) and the outbox folder (`<dataDir>/outbox`). */
export function resolveEmailSettings(config: StepupConfig): EmailSettings {
  return {
    ...config.email,
    from: config.email.from ?? `Stepup <no-reply@${new URL(config.issuer).hostname}>`,
    outboxDir: config.email.outboxDir ?? join(config.dataDir, 'outbox'),
  };
}
