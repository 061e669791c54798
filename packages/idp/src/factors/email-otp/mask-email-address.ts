/**
 * The address as the login page shows it: enough to recognise, not enough to learn it from the page
 * (`alice@example.com` → `a•••e@example.com`).
 */
export function maskEmailAddress(address: string): string {
  const at = address.lastIndexOf('@');
  if (at <= 0) return '•••';
  const local = address.slice(0, at);
  const last = local.length > 3 ? local.slice(-1) : '';
  return `${local.slice(0, 1)}•••${last}${address.slice(at)}`;
}
