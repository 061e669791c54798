/** Why a database's schema cannot be opened by this build. */
export type SchemaVersionErrorCode =
  /** A newer build migrated it: running this one against it could lose or misread data. */
  | 'schema_newer_than_code'
  /** An old release made it and stopped before the schema this build starts from. */
  | 'legacy_schema_too_old';

/**
 * Thrown before any repository runs when the schema is not one this build can bring up to date; the
 * database is left as it was.
 */
export class SchemaVersionError extends Error {
  readonly code: SchemaVersionErrorCode;

  constructor(code: SchemaVersionErrorCode, message: string) {
    super(message);
    this.name = 'SchemaVersionError';
    this.code = code;
  }
}
