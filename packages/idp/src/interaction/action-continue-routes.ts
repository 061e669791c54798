import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hashRedirectState } from '../actions/login-actions.ts';
import { continueLookupKey, type InteractionKit, type InteractionRequest } from './interaction-kit.ts';
import { renderErrorPage } from './views/error-page.ts';

/** Where an external page sends the browser back after an Action's `api.redirect.sendUserTo`. */
export const CONTINUE_PATH = '/continue';
/** A state is single-use: spending it counts it once in this window, longer than any interaction lives. */
const SPENT_STATE_WINDOW_SECONDS = 24 * 3600;
const MAX_PARAMS = 50;
const MAX_PARAM_LENGTH = 16 * 1024;

const NOT_VALID = {
  title: 'This sign-in link is not valid',
  message:
    'The page you came back from sent a link that is unknown, belongs to another sign-in, or was already used.',
  hint: 'Go back to the application and sign in again.',
};

/**
 * `/continue` (GET with a query, or POST with a form, as Auth0 has it): the way back into a login
 * paused by `api.redirect.sendUserTo`. The `state` names the login (through its hash) but proves
 * nothing by itself: the browser is sent on to that interaction's own path, where its interaction
 * cookie must match — another browser holding the state gets nowhere. There the state is compared
 * with the login's, spent atomically (a replay, even a concurrent one on another node, is refused),
 * and the Action's `onContinuePostLogin` runs with the parameters that came back, then the Actions
 * after it. The login can not finish any other way while the redirect is out (`action-redirect` step).
 */
export function registerActionContinueRoutes(app: FastifyInstance, kit: InteractionKit): void {
  const { store, clock } = kit.deps;

  const lookUp = async (request: FastifyRequest, reply: FastifyReply) => {
    const params = continueParams(request);
    const state = params?.state;
    const key = state ? continueLookupKey(hashRedirectState(state)) : undefined;
    const found = key && (await store.interactionStates.find<ContinueLookup>(key, clock()));
    if (!params || !key || !found || typeof found.uid !== 'string') {
      request.log.warn({ event: 'action.continue_refused' }, 'a /continue with an unknown state');
      kit.sendHtml(reply, 400, renderErrorPage({ ...NOT_VALID, reference: request.id }));
      return;
    }
    const target = `/interaction/${encodeURIComponent(found.uid)}/continue`;
    if (request.method === 'POST') {
      // The interaction cookie is SameSite=Lax: a cross-site POST does not carry it, the GET a 303
      // turns it into does. What was posted waits here for that GET.
      await store.interactionStates.save(key, { uid: found.uid, posted: params }, found.expiresAt);
      reply
        .code(303)
        .header('location', `${target}?state=${encodeURIComponent(params.state ?? '')}`)
        .send();
      return;
    }
    reply
      .code(303)
      .header('location', `${target}${queryOf(request.url)}`)
      .send();
  };
  app.get(CONTINUE_PATH, lookUp);
  app.post(CONTINUE_PATH, lookUp);

  const resume = kit.handle(async (request: InteractionRequest, reply) => {
    const interaction = await kit.load(request, reply);
    const { progress, step } = interaction;
    const pending = progress.actions?.decision === 'redirect' ? progress.actions.pending : undefined;
    const query = continueParams(request);
    const lookup =
      pending &&
      (await store.interactionStates.find<ContinueLookup>(continueLookupKey(pending.stateHash), clock()));
    // A form posted to /continue, then what the query says (its state is the one checked).
    const params = query && { ...(lookup && lookup.uid === interaction.uid ? lookup.posted : {}), ...query };
    const state = params?.state;
    if (
      !params ||
      !state ||
      !pending ||
      step.step !== 'action-redirect' ||
      !sameHash(state, pending.stateHash)
    ) {
      kit.deps.logAuthEvent({
        event: 'stepup.refused',
        clientId: interaction.clientId,
        reason: 'a /continue whose state is not the one this login is waiting for',
        ...('accountId' in step ? { userId: step.accountId } : {}),
      });
      kit.sendHtml(reply, 400, renderErrorPage({ ...NOT_VALID, reference: request.id }));
      return;
    }
    const spent = await store.attempts.increment(
      `action-continue-spent:${pending.stateHash}`,
      SPENT_STATE_WINDOW_SECONDS,
      interaction.now,
    );
    if (spent.count !== 1) {
      kit.sendHtml(reply, 400, renderErrorPage({ ...NOT_VALID, reference: request.id }));
      return;
    }
    await store.interactionStates.destroy(continueLookupKey(pending.stateHash));
    const loginActions = kit.deps.loginActions;
    const decision = loginActions
      ? await loginActions.continue(interaction.loginForActions(step.accountId), pending, { state, params })
      : ({
          decision: 'deny',
          code: 'actions_unavailable',
          reason: 'the sign-in rules are not available',
        } as const);
    progress.actions = await kit.keepActionsDecision(interaction.uid, decision, interaction.expiresAt);
    await kit.saveProgress(interaction);
    if (decision.decision === 'redirect') {
      reply.code(303).header('location', decision.url).send();
      return;
    }
    kit.redirectToInteraction(reply, interaction);
  });
  app.get('/interaction/:uid/continue', resume);
  app.post('/interaction/:uid/continue', resume);
}

/** What `/continue` finds under a state's hash: the interaction, and what a POST to it carried. */
interface ContinueLookup {
  uid: string;
  expiresAt: number;
  posted?: Record<string, string>;
}

/** The query and form parameters, string values only (the form wins); undefined when too many or too long. */
function continueParams(request: FastifyRequest): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  const sources = [request.query, request.body];
  for (const source of sources) {
    if (typeof source !== 'object' || source === null) continue;
    for (const [name, value] of Object.entries(source as Record<string, unknown>)) {
      if (typeof value !== 'string' || name === '__proto__') continue;
      if (value.length > MAX_PARAM_LENGTH) return undefined;
      params[name] = value;
    }
  }
  return Object.keys(params).length > MAX_PARAMS ? undefined : params;
}

function queryOf(url: string): string {
  const index = url.indexOf('?');
  return index === -1 ? '' : url.slice(index);
}

function sameHash(state: string, expected: string): boolean {
  const actual = Buffer.from(hashRedirectState(state));
  const wanted = Buffer.from(expected);
  return actual.length === wanted.length && timingSafeEqual(actual, wanted);
}
