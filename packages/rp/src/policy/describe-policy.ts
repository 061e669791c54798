import type { AuthenticationContext } from './evaluate-policy.ts';
import type { ResolvedPolicy } from './step-up-policy.ts';

/** A policy in words, one line per part, for the loop guard's page and for logs. */
export function describePolicy(policy: ResolvedPolicy): string[] {
  const lines: string[] = [];
  if (policy.acr.length > 0) lines.push(`acr: ${policy.acr.join(' or ')} (or a higher level)`);
  for (const value of policy.amr)
    lines.push(`amr includes ${value}${value === 'mfa' ? ' (multi-factor authentication)' : ''}`);
  if (policy.maxAge !== undefined) lines.push(`authenticated within the last ${policy.maxAge} seconds`);
  return lines;
}

/** What a token said, in words. */
export function describeContext(context: AuthenticationContext, now: number): string[] {
  return [
    `acr: ${context.acr ?? '(none)'}`,
    `amr: ${context.amr === undefined ? '(none)' : context.amr.length === 0 ? '(empty)' : context.amr.join(', ')}`,
    context.auth_time === undefined
      ? 'auth_time: (none)'
      : `authenticated ${Math.max(0, now - context.auth_time)} seconds ago`,
  ];
}
