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
  renderChallenge(page: FactorPage): Promise<void>;
  /** Present when the factor can be enrolled during a login (trust on first use). */
  renderEnrollment?(page: FactorPage): Promise<void>;
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
