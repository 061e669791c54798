/**
 * Decides a reorder of one trigger's Actions: `names` first, in that order, then the others as they
 * were. Returns the names that are not among `current` (then nothing moves), or else the rows whose
 * 1-based position changes, with their new position.
 */
export function planActionOrder<Row extends { name: string; position: number }>(
  current: readonly Row[],
  names: readonly string[],
): { unknown: string[]; moves: { row: Row; position: number }[] } {
  const byName = new Map(current.map((row) => [row.name, row]));
  const unknown = names.filter((name) => !byName.has(name));
  if (unknown.length > 0) return { unknown, moves: [] };
  const listed = new Set(names);
  const order = [
    ...names.map((name) => byName.get(name) as Row),
    ...current.filter((row) => !listed.has(row.name)),
  ];
  const moves = order.flatMap((row, index) =>
    row.position === index + 1 ? [] : [{ row, position: index + 1 }],
  );
  return { unknown: [], moves };
}
