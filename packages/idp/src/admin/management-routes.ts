import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ApiError } from './api-error.ts';
import type { CallAuthorizer, CallRequirement } from './authorize-management-call.ts';
import { parseInput } from './parse-input.ts';
import type { ManagementCaller } from './verify-management-token.ts';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** What a route handler receives: validated input and the authorised caller. */
export interface ManagementCall<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  caller: ManagementCaller;
  request: FastifyRequest;
  reply: FastifyReply;
}

/**
 * One operation of the management API: its path (OpenAPI style, below `/api/v1`), what it requires,
 * the zod schemas of its input and output — validated here and published in the OpenAPI document —
 * and its handler. A handler that resolves `undefined` answers `204`; one that sends the reply itself
 * (a stream) resolves the reply.
 */
export interface ManagementRouteSpec<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
> extends CallRequirement {
  method: Method;
  path: string;
  summary: string;
  params?: P;
  query?: Q;
  body?: B;
  response?: z.ZodType;
  /** Success status; default 200 (204 when the handler resolves nothing). */
  status?: number;
  /** The response is not JSON (e.g. `application/x-ndjson`). */
  produces?: string;
  bodyLimit?: number;
  handler(call: ManagementCall<z.output<P>, z.output<Q>, z.output<B>>): Promise<unknown>;
}

const NO_INPUT = z.strictObject({});

/** Marks, in a Fastify route's `config`, a route registered through `ManagementRoutes`. */
const REGISTERED = Symbol('management route');

/**
 * The registry of management routes: `add` registers a route on the Fastify scope and keeps its
 * spec for the OpenAPI document. Authorization runs in `onRequest`, before the body is even parsed,
 * so an unauthorised caller learns nothing about the body's rules; path parameters that do not
 * match their schema are `not_found`. A route registered on the scope any other way (without a
 * scope) fails the start, unless it is declared `addPublic`: so the specs are the whole route
 * table, and a sweep over them covers every route.
 */
export class ManagementRoutes {
  readonly specs: ManagementRouteSpec[] = [];
  readonly #api: FastifyInstance;
  readonly #authorize: CallAuthorizer;
  readonly #callers = new WeakMap<FastifyRequest, ManagementCaller>();

  constructor(api: FastifyInstance, authorize: CallAuthorizer) {
    this.#api = api;
    this.#authorize = authorize;
    api.addHook('onRoute', (route) => {
      if ((route.config as Record<symbol, unknown> | undefined)?.[REGISTERED] !== true) {
        throw new TypeError(`management route ${route.method} ${route.url} bypasses ManagementRoutes`);
      }
    });
  }

  /** A route anyone may call (the OpenAPI document): no token, no scope. */
  addPublic(path: string, handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>): void {
    this.#api.route({ method: 'GET', url: path, config: { [REGISTERED]: true }, handler });
  }

  add<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(
    spec: ManagementRouteSpec<P, Q, B>,
  ): void {
    this.specs.push(spec as unknown as ManagementRouteSpec);
    const requirement: CallRequirement = {
      scope: spec.scope,
      ...(spec.recentAuthentication ? { recentAuthentication: true } : {}),
    };
    this.#api.route({
      method: spec.method,
      url: spec.path.replace(/\{(\w+)\}/g, ':$1'),
      config: { [REGISTERED]: true },
      ...(spec.bodyLimit ? { bodyLimit: spec.bodyLimit } : {}),
      onRequest: async (request) => {
        this.#callers.set(request, await this.#authorize(request.headers.authorization, requirement));
      },
      handler: async (request, reply) => {
        const caller = this.#callers.get(request);
        if (!caller) throw new TypeError('management route reached without an authorised caller');
        const params = (spec.params ?? NO_INPUT).safeParse(request.params ?? {});
        if (!params.success) throw new ApiError('not_found', 'no such resource');
        const query = parseInput(spec.query ?? NO_INPUT, request.query, 'query');
        const body = spec.body ? parseInput(spec.body, request.body, 'body') : undefined;
        const result = await spec.handler({
          params: params.data as z.output<P>,
          query: query as z.output<Q>,
          body: body as z.output<B>,
          caller,
          request,
          reply,
        });
        if (result === reply || reply.sent) return reply;
        if (result === undefined) return reply.code(204).send();
        return reply.code(spec.status ?? 200).send(result);
      },
    });
  }
}
