import { type ResolvedPolicy, resolvePolicy, type StepUpPolicy } from '../policy/step-up-policy.ts';
import type { RpContext } from '../rp-context.ts';
import { toSameOriginPath } from './return-to.ts';
import { startLogin } from './start-login.ts';

function badRequest(message: string): Response {
  return Response.json({ error: 'invalid_request', error_description: message }, { status: 400 });
}

/**
 * The login route: `GET /auth/login?returnTo=/path[&policy=name]`, or with the policy spelled out
 * (`acr`, `amr`, `max_age`, `acr_values`, as `loginRouteUrl` writes them, e.g. from an RFC 9470
 * challenge). `returnTo` must be a same-origin path; anything else returns to `/`.
 */
export async function handleLogin(context: RpContext, request: Request): Promise<Response> {
  const { options } = context;
  const query = new URL(request.url).searchParams;
  const returnTo = toSameOriginPath(query.get('returnTo'), options.baseUrl.origin) ?? '/';
  let policy: ResolvedPolicy | undefined;
  const name = query.get('policy');
  if (name !== null) {
    policy = options.policies.get(name);
    if (!policy) return badRequest('unknown policy');
  } else if (query.has('acr') || query.has('amr') || query.has('max_age') || query.has('acr_values')) {
    const list = (key: string) =>
      query
        .get(key)
        ?.split(' ')
        .filter((value) => value !== '');
    const maxAge = query.get('max_age');
    if (maxAge !== null && !/^\d{1,9}$/.test(maxAge))
      return badRequest('max_age must be a whole number of seconds');
    const acrValues = list('acr_values');
    // From an RFC 9470 challenge, acr_values is both what to ask for and what to require (when ranked).
    const acr = query.has('acr') ? list('acr') : acrValues?.filter((value) => options.ladder.isKnown(value));
    const spelledOut: StepUpPolicy = {
      ...(acr !== undefined && acr.length > 0 ? { acr } : {}),
      ...(query.has('amr') ? { amr: list('amr') ?? [] } : {}),
      ...(maxAge === null ? {} : { maxAge: Number(maxAge) }),
      ...(acrValues ? { acrValues } : {}),
    };
    try {
      policy = resolvePolicy('login parameters', spelledOut, options.ladder);
    } catch (error) {
      if (error instanceof TypeError) return badRequest(error.message);
      throw error;
    }
  }
  return startLogin(context, { returnTo, ...(policy ? { policy } : {}) }, request);
}
