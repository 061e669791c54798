import type { PayoutAccountChange } from './payout-account-change.ts';

/** The account an employee's salary is paid into. */
export interface PayoutAccount extends PayoutAccountChange {
  /** When it was last changed, seconds since the epoch; undefined for the account payroll started with. */
  changedAt?: number;
}

/**
 * Where payroll keeps each employee's payout account, keyed like the salary records (the
 * `preferred_username`, or `sub`). The demo keeps it in memory, as it keeps the salary records.
 */
export interface PayoutAccounts {
  find(person: string): PayoutAccount | undefined;
  save(person: string, account: PayoutAccount): void;
}

/** The demo company's payout accounts (made-up, checksum-valid IBANs). */
export const DEMO_PAYOUT_ACCOUNTS: Readonly<Record<string, PayoutAccount>> = {
  alice: { iban: 'DE75512108001245126199', holder: 'Alice Example' },
  bob: { iban: 'NL02ABNA0123456789', holder: 'Bob Example' },
};

/** In-memory payout accounts, starting from `initial`. */
export function createMemoryPayoutAccounts(
  initial: Readonly<Record<string, PayoutAccount>> = DEMO_PAYOUT_ACCOUNTS,
): PayoutAccounts {
  const accounts = new Map<string, PayoutAccount>(Object.entries(initial));
  return {
    find: (person) => accounts.get(person),
    save(person, account) {
      accounts.set(person, { ...account });
    },
  };
}
