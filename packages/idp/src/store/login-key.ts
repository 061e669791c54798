/**
 * The key a username or email is stored, looked up and searched by: case-folded so `Alice` and
 * `alice` are one login, NFC so composed and decomposed input agree. Every store uses this one.
 */
export function toLoginKey(value: string): string {
  return value.normalize('NFC').toLowerCase();
}
