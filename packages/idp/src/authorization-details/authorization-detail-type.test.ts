import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuthorizationDetailTypeRecord } from '../store/authorization-detail-types.ts';
import {
  AuthorizationDetailTypeError,
  compileAuthorizationDetailType,
  createSchemaCompiler,
} from './authorization-detail-type.ts';
import { SALARY_PAYOUT_ACCOUNT } from './testing/salary-payout-account-type.ts';

test('a detail is checked against the schema and described with the labelled fields', () => {
  const type = compileAuthorizationDetailType(SALARY_PAYOUT_ACCOUNT, createSchemaCompiler());
  const detail = {
    type: 'salary_payout_account',
    iban: 'DE89 3704 0044 0532 0130 00',
    holder: 'Alice Example',
  };
  assert.equal(type.problemWith(detail), undefined);
  assert.equal(
    type.describe(detail),
    'Change salary payout account: to DE89 3704 0044 0532 0130 00, holder Alice Example',
  );
  assert.equal(
    type.problemWith({ type: 'salary_payout_account', iban: 'DE89' }),
    "/ must have required property 'holder'",
  );
  assert.equal(type.problemWith({ ...detail, amount: 1 }), '/ must NOT have additional properties');
});

test('a registration the provider cannot enforce is refused, naming the field', () => {
  const compiler = createSchemaCompiler();
  const refused = (record: AuthorizationDetailTypeRecord, message: RegExp) =>
    assert.throws(
      () => compileAuthorizationDetailType(record, compiler),
      (error: unknown) => {
        assert.ok(error instanceof AuthorizationDetailTypeError);
        assert.equal(error.code, 'invalid_authorization_detail_type');
        assert.match(error.message, message);
        return true;
      },
    );
  refused({ ...SALARY_PAYOUT_ACCOUNT, type: 'has space' }, /^type:/);
  refused({ ...SALARY_PAYOUT_ACCOUNT, description: ' ' }, /^description:/);
  refused({ ...SALARY_PAYOUT_ACCOUNT, schema: { type: 'string' } }, /^schema: must describe an object/);
  refused(
    { ...SALARY_PAYOUT_ACCOUNT, schema: { type: 'object', propertiez: {} } },
    /^schema: strict mode: unknown keyword/,
  );
  refused(
    {
      ...SALARY_PAYOUT_ACCOUNT,
      schema: { type: 'object', required: ['iban'], properties: { iban: { type: 'string' } } },
    },
    /^display_fields: the schema must require "holder"/,
  );
  refused({ ...SALARY_PAYOUT_ACCOUNT, displayFields: [] }, /^display_fields: 1 to 10/);
  refused(
    {
      ...SALARY_PAYOUT_ACCOUNT,
      displayFields: [
        { field: 'iban', label: '' },
        { field: 'holder', label: 'holder' },
      ],
    },
    /"iban" needs a label/,
  );
});
