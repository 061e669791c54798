/**
 * Why a throttle refused an attempt before checking it, stable for clients and tests (the interaction
 * pages send it in the `stepup-error-code` header):
 * - `ip_throttled`: too many failed passwords from this client address, across accounts;
 * - `account_ip_throttled`: too many failed passwords for this account from this client address;
 * - `account_delayed` / `account_locked`: consecutive failed passwords; wait, or use a known browser;
 * - `codes_throttled`: too many wrong second-factor codes for this account in the window;
 * - `codes_delayed` / `codes_locked`: consecutive wrong codes; wait, or (locked) use push or a
 *   security key, or ask the operator to clear the lock;
 * - `login_tries_exhausted`: this login has had all its code tries;
 * - `client_secret_throttled`: too many wrong secrets for this client id in the window;
 * - `password_reset_throttled`: too many password reset links asked for this account or from this
 *   client address in the window;
 * - `password_change_throttled`: too many wrong current passwords on the account page's change form.
 */
export type ThrottleCode =
  | 'ip_throttled'
  | 'account_ip_throttled'
  | 'account_delayed'
  | 'account_locked'
  | 'codes_throttled'
  | 'codes_delayed'
  | 'codes_locked'
  | 'login_tries_exhausted'
  | 'client_secret_throttled'
  | 'password_reset_throttled'
  | 'password_change_throttled';

export interface ThrottleRefusal {
  allowed: false;
  code: ThrottleCode;
  /** Seconds until a try may succeed; absent while locked (the lock does not end by itself). */
  retryAfter?: number;
}
