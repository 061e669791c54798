/** One change of an employee's pay, as payroll records it. */
export interface SalaryEntry {
  /** When it took effect, `YYYY-MM-DD`. */
  effective: string;
  /** Yearly base salary, in whole units of `currency`. */
  annualBase: number;
  /** ISO 4217. */
  currency: string;
  title: string;
  reason: string;
}

/** Salary histories by employee: the `preferred_username` (or `sub`) the provider signs in. */
export type SalaryRecords = Readonly<Record<string, readonly SalaryEntry[]>>;

/**
 * The demo company's payroll: `alice` and `bob` have a history; `carol` joined this month and has
 * none yet, so she sees the empty state. Made-up figures.
 */
export const DEMO_SALARY_RECORDS: SalaryRecords = {
  alice: [
    { effective: '2022-03-01', annualBase: 58_000, currency: 'EUR', title: 'Engineer', reason: 'Hired' },
    {
      effective: '2023-03-01',
      annualBase: 61_500,
      currency: 'EUR',
      title: 'Engineer',
      reason: 'Yearly review',
    },
    {
      effective: '2024-01-01',
      annualBase: 69_000,
      currency: 'EUR',
      title: 'Senior engineer',
      reason: 'Promotion',
    },
    {
      effective: '2025-03-01',
      annualBase: 72_400,
      currency: 'EUR',
      title: 'Senior engineer',
      reason: 'Yearly review',
    },
  ],
  bob: [
    { effective: '2021-09-15', annualBase: 47_000, currency: 'EUR', title: 'Accountant', reason: 'Hired' },
    {
      effective: '2023-01-01',
      annualBase: 52_000,
      currency: 'EUR',
      title: 'Senior accountant',
      reason: 'Promotion',
    },
    {
      effective: '2025-01-01',
      annualBase: 54_600,
      currency: 'EUR',
      title: 'Senior accountant',
      reason: 'Yearly review',
    },
  ],
};

/**
 * The salary history of the person signed in, newest first; empty when payroll has none.
 * `preferred_username` is what the demo data is keyed by; a real payroll would key by `sub` (stable
 * and unique per provider), which is tried as well.
 */
export function findSalaryHistory(
  records: SalaryRecords,
  person: { sub: string; preferredUsername: string | undefined },
): SalaryEntry[] {
  const keys = [person.preferredUsername, person.sub].filter((key) => key !== undefined);
  for (const key of keys) {
    if (Object.hasOwn(records, key)) {
      return [...(records[key] ?? [])].sort((a, b) => b.effective.localeCompare(a.effective));
    }
  }
  return [];
}
