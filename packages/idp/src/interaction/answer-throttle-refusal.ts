import type { ThrottleCode, ThrottleRefusal } from '../throttle/throttle-refusal.ts';
import type { Interaction, InteractionKit, InteractionReply, InteractionRequest } from './interaction-kit.ts';

/** The response header that carries a throttle's stable `ThrottleCode`, for clients and tests. */
export const THROTTLE_CODE_HEADER = 'stepup-error-code';

function wait(seconds: number | undefined): string {
  const minutes = Math.max(1, Math.ceil((seconds ?? 60) / 60));
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/** What the page says for each refusal: what happened and what to do next. */
function describeRefusal(refusal: ThrottleRefusal): string {
  const messages: Record<ThrottleCode, () => string> = {
    ip_throttled: () => passwordWait(refusal),
    account_ip_throttled: () => passwordWait(refusal),
    account_delayed: () => passwordWait(refusal),
    account_locked: () =>
      'Too many failed sign-ins on this account. Sign in from a browser you used before, or ask your administrator to unlock the account.',
    codes_throttled: () => `Too many wrong codes. Wait ${wait(refusal.retryAfter)}, then try again.`,
    codes_delayed: () => `Too many wrong codes. Wait ${wait(refusal.retryAfter)}, then try again.`,
    codes_locked: () =>
      'Too many wrong codes in a row: codes are locked for this account. Use your phone or security key instead, or ask your administrator to unlock codes.',
    login_tries_exhausted: () => 'You have no tries left. Select Cancel and sign in again.',
    // Refused at the token endpoint, to an application's server; no page shows it.
    client_secret_throttled: () => `Too many wrong client secrets. Wait ${wait(refusal.retryAfter)}.`,
    // Refused on the forgotten-password and account pages, which say so themselves.
    password_reset_throttled: () => `Too many requests. Wait ${wait(refusal.retryAfter)}.`,
    password_change_throttled: () => `Too many wrong passwords. Wait ${wait(refusal.retryAfter)}.`,
  };
  return messages[refusal.code]();
}

function passwordWait(refusal: ThrottleRefusal): string {
  return `Too many failed sign-ins. Wait ${wait(refusal.retryAfter)}, then try again, or sign in from a browser you used before.`;
}

/** Answers a throttled try: 429 with `Retry-After` (unless locked), the stable code, and the page again. */
export async function answerThrottleRefusal(
  kit: InteractionKit,
  request: InteractionRequest,
  reply: InteractionReply,
  interaction: Interaction,
  refusal: ThrottleRefusal,
  feedback: { username?: string } = {},
): Promise<void> {
  if (refusal.retryAfter !== undefined) reply.header('retry-after', String(refusal.retryAfter));
  reply.header(THROTTLE_CODE_HEADER, refusal.code);
  await kit.proceed(request, reply, interaction, {
    ...feedback,
    status: 429,
    error: describeRefusal(refusal),
  });
}
