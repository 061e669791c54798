import type { AuthorizationDetailTypeRecord } from '../../store/authorization-detail-types.ts';

/** The salary app's transaction: a new payout account, shown to the person as IBAN and holder. */
export const SALARY_PAYOUT_ACCOUNT: AuthorizationDetailTypeRecord = {
  type: 'salary_payout_account',
  description: 'Change salary payout account',
  schema: {
    type: 'object',
    required: ['type', 'iban', 'holder'],
    properties: {
      type: { const: 'salary_payout_account' },
      iban: { type: 'string', pattern: '^[A-Z]{2}[0-9]{2}[A-Z0-9 ]{10,40}$' },
      holder: { type: 'string', minLength: 1, maxLength: 140 },
    },
    additionalProperties: false,
  },
  displayFields: [
    { field: 'iban', label: 'to' },
    { field: 'holder', label: 'holder' },
  ],
};
