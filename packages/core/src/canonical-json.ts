/**
 * The JSON Canonicalization Scheme (RFC 8785) for JSON values: object members sorted by their UTF-16
 * code units, no whitespace, numbers and strings as ECMAScript serializes them (3.2.2, 3.2.3), and
 * members whose value is `undefined` left out, as `JSON.stringify` does. Two equal values have one
 * spelling whatever order they were written in: the provider hashes the `authorization_details` the
 * person's device displayed (RFC 9396), and the relying party compares the approved ones with what it
 * asked for. Anything JSON cannot carry (NaN, a date, a function, a bigint) is a `TypeError`.
 *
 * @example
 * ```ts
 * canonicalJson({ b: 1, a: [true, null] }); // '{"a":[true,null],"b":1}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('canonical JSON has no NaN or Infinity');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  if (typeof value === 'object') {
    const prototype = Object.getPrototypeOf(value);
    if (prototype === Object.prototype || prototype === null) {
      const members = Object.keys(value)
        .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
        .sort()
        .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
      return `{${members.join(',')}}`;
    }
  }
  throw new TypeError(
    `canonical JSON cannot hold a ${typeof value === 'object' ? 'non-plain object' : typeof value}`,
  );
}
