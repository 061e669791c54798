import type { ManagedUser } from './user-management.ts';

/** The username key a search page starts after: decoded from its cursor, `''` for the first page. */
export function userSearchStartKey(cursor: string | undefined): string {
  return cursor === undefined ? '' : Buffer.from(cursor, 'base64url').toString('utf8');
}

/**
 * One page of a user search from what the store read: rows ordered by username key, at most
 * `limit + 1` of them. The extra row only tells that there is a next page, whose cursor names the
 * last row shown.
 */
export function toUserSearchPage<Row extends { username_key: string }>(
  rows: readonly Row[],
  limit: number,
  toManagedUser: (row: Row) => ManagedUser,
): { users: ManagedUser[]; nextCursor: string | null } {
  const more = rows.length > limit;
  const shown = more ? rows.slice(0, limit) : rows;
  const last = shown.at(-1);
  return {
    users: shown.map(toManagedUser),
    nextCursor: more && last ? Buffer.from(last.username_key, 'utf8').toString('base64url') : null,
  };
}
