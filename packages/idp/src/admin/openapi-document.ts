import { z } from 'zod';
import { PROVIDER_ROUTES } from '../oidc/provider-routes.ts';
import { API_ERROR_STATUS } from './api-error.ts';
import { MANAGEMENT_API_PATH, MANAGEMENT_SCOPES } from './management-api-identity.ts';
import type { ManagementRouteSpec } from './management-routes.ts';

type JsonSchema = Record<string, unknown>;

const errorBody = z.object({
  error: z.object({
    code: z.enum(Object.keys(API_ERROR_STATUS) as [string, ...string[]]),
    message: z.string(),
    details: z.record(z.string(), z.unknown()),
  }),
});

function schemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

function parametersOf(schema: z.ZodType | undefined, where: 'path' | 'query'): JsonSchema[] {
  if (!schema) return [];
  const json = schemaOf(schema, 'input');
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    schema: property,
  }));
}

/**
 * The OpenAPI 3.1 document of the management API, generated from the very zod schemas that
 * validate each request (OpenAPI 3.1 schemas are JSON Schema 2020-12, what `z.toJSONSchema` writes).
 */
export function buildOpenApiDocument(issuer: string, specs: readonly ManagementRouteSpec[]): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const spec of specs) {
    const errors: Record<string, unknown> = {
      '401': { $ref: '#/components/responses/Error' },
      '403': { $ref: '#/components/responses/Error' },
    };
    if (spec.body || spec.query) errors['400'] = { $ref: '#/components/responses/Error' };
    if (spec.params) errors['404'] = { $ref: '#/components/responses/Error' };
    const status = String(spec.status ?? (spec.response || spec.produces ? 200 : 204));
    const success = spec.produces
      ? { description: 'OK', content: { [spec.produces]: { schema: { type: 'string' } } } }
      : spec.response
        ? {
            description: 'OK',
            content: { 'application/json': { schema: schemaOf(spec.response, 'output') } },
          }
        : { description: 'Done' };
    const operations = paths[spec.path] ?? {};
    paths[spec.path] = operations;
    operations[spec.method.toLowerCase()] = {
      summary: spec.summary,
      operationId: `${spec.method.toLowerCase()}${spec.path.replace(/[{}]/g, '').replace(/[/-](\w)/g, (_m, c: string) => c.toUpperCase())}`,
      security: [{ bearer: [spec.scope] }],
      ...(spec.recentAuthentication ? { 'x-requires-recent-authentication': true } : {}),
      parameters: [...parametersOf(spec.params, 'path'), ...parametersOf(spec.query, 'query')],
      ...(spec.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: schemaOf(spec.body, 'input') } },
            },
          }
        : {}),
      responses: { [status]: success, ...errors },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Stepup management API', version: '1' },
    servers: [{ url: `${issuer.replace(/\/$/, '')}${MANAGEMENT_API_PATH}` }],
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: 'oauth2',
          description: 'RFC 9068 access tokens for the resource (audience) of the servers URL',
          flows: {
            clientCredentials: {
              tokenUrl: `${issuer.replace(/\/$/, '')}${PROVIDER_ROUTES.token}`,
              scopes: Object.fromEntries(MANAGEMENT_SCOPES.map((scope) => [scope, scope])),
            },
          },
        },
      },
      responses: {
        Error: {
          description: 'A refused call; it changed nothing',
          content: { 'application/json': { schema: schemaOf(errorBody, 'output') } },
        },
      },
    },
  };
}
