import { canonicalJson } from '@stepup/core';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import type { AuthorizationDetailTypeRecord } from '../store/authorization-detail-types.ts';

/** RFC 9396 2: `type` is a string; we keep it to URI and identifier characters. */
const TYPE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,127}$/;
const FIELD_NAME = /^[A-Za-z0-9_]{1,64}$/;

/** A registration the provider cannot use; the message names the field and what is allowed. */
export class AuthorizationDetailTypeError extends Error {
  readonly code = 'invalid_authorization_detail_type';
}

/** A registered type, its schema compiled: checks a detail and says what approving it does. */
export interface AuthorizationDetailType {
  readonly record: AuthorizationDetailTypeRecord;
  /** The first reason the detail does not satisfy the type's schema; undefined when it does. */
  problemWith(detail: Record<string, unknown>): string | undefined;
  /** "Change salary payout account: to DE89…, holder Alice Example", from the display fields. */
  describe(detail: Record<string, unknown>): string;
}

/** One compiler per provider: operator schemas are checked strictly (unknown keywords refused). */
export function createSchemaCompiler(): Ajv2020 {
  return new Ajv2020({ strict: true, allErrors: false });
}

/**
 * Checks a registration and compiles its schema; throws `AuthorizationDetailTypeError` for a bad
 * name, description, schema (invalid, not for an object, or not requiring a displayed field) or
 * display field, so nothing the provider cannot enforce is ever stored.
 */
export function compileAuthorizationDetailType(
  record: AuthorizationDetailTypeRecord,
  compiler: Ajv2020,
): AuthorizationDetailType {
  if (!TYPE_NAME.test(record.type)) {
    throw new AuthorizationDetailTypeError(
      'type: 1 to 128 letters, digits and _ . : / -, starting with a letter or digit',
    );
  }
  if (
    typeof record.description !== 'string' ||
    !record.description.trim() ||
    record.description.length > 200
  ) {
    throw new AuthorizationDetailTypeError('description: say in 1 to 200 characters what approving does');
  }
  const { schema } = record;
  if (schema.type !== 'object')
    throw new AuthorizationDetailTypeError('schema: must describe an object ("type": "object")');
  let validate: ValidateFunction;
  try {
    validate = compiler.compile(schema);
  } catch (error) {
    throw new AuthorizationDetailTypeError(`schema: ${(error as Error).message}`);
  }
  const required = Array.isArray(schema.required) ? (schema.required as unknown[]) : [];
  if (
    !Array.isArray(record.displayFields) ||
    record.displayFields.length === 0 ||
    record.displayFields.length > 10
  ) {
    throw new AuthorizationDetailTypeError('display_fields: 1 to 10 fields the person must see');
  }
  const seen = new Set<string>();
  for (const { field, label } of record.displayFields) {
    if (typeof field !== 'string' || !FIELD_NAME.test(field) || seen.has(field)) {
      throw new AuthorizationDetailTypeError('display_fields: each field a distinct top-level member name');
    }
    seen.add(field);
    // The person must see it, so every detail must have it.
    if (!required.includes(field)) {
      throw new AuthorizationDetailTypeError(`display_fields: the schema must require "${field}"`);
    }
    if (typeof label !== 'string' || !label.trim() || label.length > 64) {
      throw new AuthorizationDetailTypeError(
        `display_fields: "${field}" needs a label of 1 to 64 characters`,
      );
    }
  }
  return {
    record,
    problemWith(detail) {
      if (validate(detail)) return undefined;
      const [first] = validate.errors ?? [];
      return first ? `${first.instancePath || '/'} ${first.message ?? 'is invalid'}` : 'is invalid';
    },
    describe: (detail) => describeAuthorizationDetail(record, detail),
  };
}

/** "Change salary payout account: to DE89…, holder Alice Example": the description, then each displayed field. */
export function describeAuthorizationDetail(
  record: Pick<AuthorizationDetailTypeRecord, 'description' | 'displayFields'>,
  detail: Record<string, unknown>,
): string {
  const fields = record.displayFields.map(({ field, label }) => {
    const value = detail[field];
    return `${label} ${typeof value === 'string' ? value : canonicalJson(value ?? null)}`;
  });
  return `${record.description}: ${fields.join(', ')}`;
}
