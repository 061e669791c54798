import type { MethodName } from '@stepup/core';
import type { FastifyInstance } from 'fastify';
import type {
  Interaction,
  InteractionKit,
  InteractionReply,
  InteractionRequest,
  PageFeedback,
} from './interaction-kit.ts';
import type { NextStep } from './next-step.ts';

export type SecondFactorStep = Extract<NextStep, { step: 'second-factor' }>;

/** Another factor the person may switch to ("try another way"). */
export interface FactorChoice {
  method: MethodName;
  label: string;
}

/**
 * One second factor in the login interaction. The interaction decides that a second factor is
 * needed and which methods can reach the level; a factor module challenges (or enrolls) and, on
 * success, records its proof with `kit.recordProof`.
 */
export interface SecondFactor {
  method: MethodName;
  /** Short name for "try another way", e.g. "Authenticator app code". */
  label: string;
  isEnrolled(userId: string): Promise<boolean>;
  /**
   * False while the factor is enrolled but should not be offered first, e.g. push paused after
   * repeated denials: another factor is then shown, and this one stays under "try another way".
   */
  isAvailable?(userId: string, interaction: Interaction): Promise<boolean>;
  renderChallenge(page: FactorPage): Promise<void>;
  /**
   * Present when the factor can be enrolled during a login: by a person with no second factor (trust
   * on first use), or after proving one when an Action asks for it (`enrollWith`).
   */
  renderEnrollment?(page: FactorPage): Promise<void>;
  /**
   * True when the person enrolled a factor of this kind at or after `since` (epoch seconds, the
   * provider's clock): how an enrollment an Action asked for is known to be done. Present with
   * `renderEnrollment`.
   */
  enrolledSince?(userId: string, since: number): Promise<boolean>;
  /**
   * Where this factor comes among those a person can enroll during a login: lower first, 0 when
   * absent; equal ranks keep the order of preference. The first is shown, the others are offered
   * under "try another way".
   */
  enrollmentRank?: number;
  /**
   * Called when every proof is in, just before the interaction finishes: a factor may show a page of
   * its own first (new recovery codes) and resolve true; that page's form leads back to the interaction.
   */
  renderBeforeFinish?(
    request: InteractionRequest,
    reply: InteractionReply,
    interaction: Interaction,
  ): Promise<boolean>;
  /**
   * Called once the login ends, whichever way (finished, refused, cancelled), before its progress is
   * dropped: the factor withdraws what it still has outstanding for it (a push request on a phone).
   */
  endInteraction?(interaction: Interaction): Promise<void>;
  registerRoutes(app: FastifyInstance, kit: InteractionKit): void;
}

/**
 * A page shown when every proof is in, before the interaction finishes, that belongs to no factor
 * (e.g. the offer to remember this browser). Its form leads back to the interaction.
 */
export interface BeforeFinishPage {
  renderBeforeFinish(
    request: InteractionRequest,
    reply: InteractionReply,
    interaction: Interaction,
  ): Promise<boolean>;
  registerRoutes(app: FastifyInstance, kit: InteractionKit): void;
}

export interface FactorPage {
  request: InteractionRequest;
  reply: InteractionReply;
  interaction: Interaction;
  step: SecondFactorStep;
  username: string;
  /** The other factors this person could use instead. */
  alternatives: FactorChoice[];
  feedback: PageFeedback;
}
