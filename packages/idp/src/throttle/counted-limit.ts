import type { AttemptsRepository } from '../store/attempts.ts';
import type { ThrottleCode, ThrottleRefusal } from './throttle-refusal.ts';

/**
 * One limit an attempt is counted on before it is checked (ARCHITECTURE.md, Storage): the count is
 * one atomic increment, so of any burst of parallel attempts no more pass than the limit allows.
 */
export interface CountedLimit {
  /** Counts the attempt; a refusal when it is beyond the limit. */
  count(now: number): Promise<ThrottleRefusal | undefined>;
  /** Takes the attempt back: it was refused, or it turned out not to count (a success). */
  refund(now: number): Promise<void>;
}

/**
 * Counts the attempt on every limit in order. When one refuses, the attempt is taken back from the
 * limits before it and from that one, so an attempt that was never checked uses up nothing.
 */
export async function countOnEveryLimit(
  limits: readonly CountedLimit[],
  now: number,
): Promise<ThrottleRefusal | undefined> {
  for (const [index, limit] of limits.entries()) {
    const refusal = await limit.count(now);
    if (refusal === undefined) continue;
    await Promise.all(limits.slice(0, index + 1).map((counted) => counted.refund(now)));
    return refusal;
  }
  return undefined;
}

export interface WindowLimit extends CountedLimit {
  /** The place of this attempt in its window (1 for the first), once counted. */
  readonly counted: number;
}

/** At most `limit` attempts per fixed window of `windowSeconds` on `key`. */
export function windowLimit(options: {
  counters: AttemptsRepository;
  key: string;
  limit: number;
  windowSeconds: number;
  code: ThrottleCode;
}): WindowLimit {
  const { counters, key, limit, windowSeconds, code } = options;
  let counted = 0;
  return {
    get counted() {
      return counted;
    },
    async count(now) {
      const window = await counters.increment(key, windowSeconds, now);
      counted = window.count;
      return window.count > limit ? { allowed: false, code, retryAfter: window.resetAt - now } : undefined;
    },
    refund: (now) => counters.refund(key, now),
  };
}
