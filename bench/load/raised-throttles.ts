import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A bench signs its accounts in from this machine's one address, dozens of times a second and many
 * at once: far beyond the per-account-and-IP and per-IP password limits and the free tries, which
 * are not what a bench measures. Its nodes run with them raised: a configuration file written into
 * `dir`, named by the returned `STEPUP_CONFIG`.
 */
export function raisedThrottlesConfig(dir: string): { STEPUP_CONFIG: string } {
  const file = join(dir, 'bench-config.json');
  const unlimited = { limit: 1_000_000, windowSeconds: 60 };
  // Each try is counted before it is checked, so 16 correct passwords at once count as 16 in flight:
  // free failures at their maximum keep them from opening a wait.
  const throttling = { accountIp: unlimited, ip: unlimited, accountFreeFailures: 100 };
  writeFileSync(file, JSON.stringify({ throttling }));
  return { STEPUP_CONFIG: file };
}
