import { readFile } from 'node:fs/promises';
import {
  AuthorizationDetailTypeError,
  compileAuthorizationDetailType,
  createSchemaCompiler,
} from '../../authorization-details/authorization-detail-type.ts';
import type { AuthorizationDetailTypeRecord } from '../../store/authorization-detail-types.ts';
import { type CliCommand, parseCommandArgs, UsageError } from '../cli-command.ts';
import { withStore } from '../with-store.ts';

export const authorizationDetailTypeAdd: CliCommand = {
  words: ['authorization-detail-type', 'add'],
  summary: 'register an authorization_details type (RFC 9396) from a JSON file, or replace it',
  usage:
    'stepup-idp authorization-detail-type add <file.json>\n' +
    '    the file: { "type", "description", "schema" (JSON Schema 2020-12), "display_fields": [{ "field", "label" }] },\n' +
    '    as POST /api/v1/authorization-detail-types takes it',
  async run(args, io) {
    const { positionals } = parseCommandArgs(args, {}, 1);
    const file = positionals[0] ?? '';
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(file, 'utf8'));
    } catch (error) {
      throw new UsageError(`cannot read ${file} as JSON: ${(error as Error).message}`);
    }
    const record = toRecord(parsed);
    try {
      compileAuthorizationDetailType(record, createSchemaCompiler());
    } catch (error) {
      if (error instanceof AuthorizationDetailTypeError) throw new UsageError(`${file}: ${error.message}`);
      throw error;
    }
    await withStore(io.env, async (store) => {
      await store.authorizationDetailTypes.upsert(record);
      io.out(
        `registered authorization detail type ${record.type} (shows ${record.displayFields.map((f) => f.field).join(', ')})`,
      );
    });
  },
};

function toRecord(value: unknown): AuthorizationDetailTypeRecord {
  const {
    type,
    description,
    schema,
    display_fields: displayFields,
  } = (value ?? {}) as Record<string, unknown>;
  if (typeof type !== 'string' || typeof description !== 'string') {
    throw new UsageError('the file needs "type" and "description" strings');
  }
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    throw new UsageError('the file needs "schema", a JSON Schema object');
  }
  if (!Array.isArray(displayFields)) {
    throw new UsageError('the file needs "display_fields", an array of { "field", "label" }');
  }
  return {
    type,
    description,
    schema: schema as Record<string, unknown>,
    displayFields: displayFields as AuthorizationDetailTypeRecord['displayFields'],
  };
}
