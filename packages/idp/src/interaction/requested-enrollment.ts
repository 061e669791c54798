import type { MethodName } from '@stepup/core';
import type { EnrollmentRequirement } from '../actions/login-requirement.ts';
import type { SecondFactor } from './second-factor.ts';

/**
 * The factors that can enroll one of `methods` during a login, in the order the Action named them
 * (the first is shown, the others under "try another way").
 */
export function enrollableFactors(
  factors: readonly SecondFactor[],
  methods: readonly MethodName[],
): SecondFactor[] {
  return factors
    .filter((factor) => factor.renderEnrollment !== undefined && methods.includes(factor.method))
    .sort((a, b) => methods.indexOf(a.method) - methods.indexOf(b.method));
}

/**
 * Why the enrollment an Action asked for can not take place here, for `error_description`; undefined
 * when it can. Email is verified with the account and recovery codes are issued, so neither has an
 * enrollment page; a factor this provider does not offer has none either. The factor is named so the
 * operator sees which call to fix — the login is never let through without it.
 */
export function enrollmentRefusal(
  enroll: EnrollmentRequirement,
  factors: readonly SecondFactor[],
): string | undefined {
  const named = enroll.factors.map((factor) => `"${factor}"`);
  if (enroll.methods.length === 0)
    return `the Actions asked to enroll ${named.join(' and ')} in one sign-in; no one factor is all of them`;
  if (enrollableFactors(factors, enroll.methods).length > 0) return undefined;
  return `an Action asked to enroll ${named.join(' or ')}, which can not be enrolled during sign-in`;
}

/** True once the person enrolled a factor of a kind asked for at or after `since`. */
export async function isEnrollmentDone(
  factors: readonly SecondFactor[],
  enroll: EnrollmentRequirement,
  userId: string,
  since: number,
): Promise<boolean> {
  for (const factor of enrollableFactors(factors, enroll.methods)) {
    if (await factor.enrolledSince?.(userId, since)) return true;
  }
  return false;
}
