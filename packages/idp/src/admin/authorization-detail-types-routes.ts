import { z } from 'zod';
import {
  AuthorizationDetailTypeError,
  compileAuthorizationDetailType,
  createSchemaCompiler,
} from '../authorization-details/authorization-detail-type.ts';
import type { AuthorizationDetailTypeRecord } from '../store/authorization-detail-types.ts';
import { ApiError } from './api-error.ts';
import { listOf } from './list-page.ts';
import type { ManagementDependencies } from './management-dependencies.ts';
import { type AdminChange, adminChange } from './record-admin-change.ts';

const typeView = z.object({
  type: z.string(),
  description: z.string(),
  schema: z.record(z.string(), z.unknown()),
  display_fields: z.array(z.object({ field: z.string(), label: z.string() })),
});

const typeFields = {
  description: z.string().min(1).max(200),
  schema: z.record(z.string(), z.unknown()),
  display_fields: z
    .array(z.strictObject({ field: z.string().min(1).max(64), label: z.string().min(1).max(64) }))
    .min(1)
    .max(10),
};

const typeParams = z.strictObject({ type: z.string().min(1).max(128) });

function view(record: AuthorizationDetailTypeRecord): z.output<typeof typeView> {
  return {
    type: record.type,
    description: record.description,
    schema: record.schema,
    display_fields: record.displayFields,
  };
}

/**
 * `/authorization-detail-types`: the `authorization_details` types (RFC 9396) clients may ask the
 * person to approve, each with its JSON Schema and the fields shown to the person.
 */
export function registerAuthorizationDetailTypesRoutes(deps: ManagementDependencies): void {
  const { routes, store } = deps;
  const compiler = createSchemaCompiler();
  /** Compiles the registration, so a schema or display field the provider cannot enforce is never stored. */
  const checked = (record: AuthorizationDetailTypeRecord) => {
    try {
      compileAuthorizationDetailType(record, compiler);
    } catch (error) {
      if (error instanceof AuthorizationDetailTypeError) {
        throw new ApiError('invalid_body', error.message, {
          details: { field: error.message.split(':')[0] },
        });
      }
      throw error;
    }
    return record;
  };
  const find = async (type: string) => {
    const record = await store.authorizationDetailTypes.find(type);
    if (!record) throw new ApiError('not_found', `no authorization detail type "${type}"`);
    return record;
  };

  /**
   * Checks and stores a registration with its audit event, then has every node read the types again:
   * this one before answering, the others on the notice.
   */
  const save = async (
    type: string,
    fields: {
      description: string;
      schema: Record<string, unknown>;
      display_fields: AuthorizationDetailTypeRecord['displayFields'];
    },
    { caller, request, change }: Pick<AdminChange, 'caller' | 'request'> & { change: 'created' | 'updated' },
  ) => {
    const record = checked({
      type,
      description: fields.description,
      schema: fields.schema,
      displayFields: fields.display_fields,
    });
    await store.authorizationDetailTypes.upsert(
      record,
      adminChange({
        type: `admin.authorization_detail_type.${change}`,
        caller,
        request,
        time: deps.clock(),
        details: { type },
      }),
    );
    await deps.applyChanges();
    return view(record);
  };

  routes.add({
    method: 'GET',
    path: '/authorization-detail-types',
    summary: 'List authorization detail types',
    scope: 'read:authorization_detail_types',
    response: listOf(typeView),
    handler: async () => ({
      items: (await store.authorizationDetailTypes.list()).map(view),
      next_cursor: null,
    }),
  });

  routes.add({
    method: 'POST',
    path: '/authorization-detail-types',
    summary: 'Register an authorization detail type',
    scope: 'create:authorization_detail_types',
    status: 201,
    body: z.strictObject({ type: typeParams.shape.type, ...typeFields }),
    response: typeView,
    handler: async ({ body, caller, request }) => {
      if (await store.authorizationDetailTypes.find(body.type)) {
        throw new ApiError('conflict', `an authorization detail type "${body.type}" already exists`);
      }
      return save(body.type, body, { caller, request, change: 'created' });
    },
  });

  routes.add({
    method: 'GET',
    path: '/authorization-detail-types/{type}',
    summary: 'Read an authorization detail type',
    scope: 'read:authorization_detail_types',
    params: typeParams,
    response: typeView,
    handler: async ({ params }) => view(await find(params.type)),
  });

  routes.add({
    method: 'PUT',
    path: '/authorization-detail-types/{type}',
    summary: 'Replace an authorization detail type',
    scope: 'update:authorization_detail_types',
    // It changes what people are shown before they approve: as privileged as deleting.
    recentAuthentication: true,
    params: typeParams,
    body: z.strictObject(typeFields),
    response: typeView,
    handler: async ({ params, body, caller, request }) => {
      await find(params.type);
      return save(params.type, body, { caller, request, change: 'updated' });
    },
  });

  routes.add({
    method: 'DELETE',
    path: '/authorization-detail-types/{type}',
    summary: 'Delete an authorization detail type; requests for it are refused from then on',
    scope: 'delete:authorization_detail_types',
    recentAuthentication: true,
    params: typeParams,
    handler: async ({ params, caller, request }) => {
      await find(params.type);
      await store.authorizationDetailTypes.remove(
        params.type,
        adminChange({
          type: 'admin.authorization_detail_type.deleted',
          caller,
          request,
          time: deps.clock(),
          details: { type: params.type },
        }),
      );
      await deps.applyChanges();
    },
  });
}
