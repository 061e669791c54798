import type { z } from 'zod';
import { ApiError } from './api-error.ts';

/**
 * Validates one part of a request against its schema: a refusal is `invalid_body` or
 * `invalid_query` (400) whose `details.field` names the first offending field path and whose
 * `details.issues` lists every problem.
 */
export function parseInput<T extends z.ZodType>(
  schema: T,
  value: unknown,
  part: 'body' | 'query',
): z.output<T> {
  const parsed = schema.safeParse(value ?? (part === 'query' ? {} : undefined));
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({
    field: issue.path.map(String).join('.'),
    message: issue.message,
  }));
  const first = issues[0] ?? { field: '', message: 'invalid' };
  throw new ApiError(
    part === 'body' ? 'invalid_body' : 'invalid_query',
    `${first.field || part}: ${first.message}`,
    { details: { field: first.field, issues } },
  );
}
