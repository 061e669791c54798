/**
 * Where a push request stands. Only `open` can change, and only once: answered (`approved`,
 * `denied`), `expired` unanswered, or `withdrawn` because its login ended first.
 */
export type PushChallengeStatus = 'open' | 'approved' | 'denied' | 'expired' | 'withdrawn';

/** Why a request was denied: the person refused it, or picked a number other than the one shown. */
export type PushDenialReason = 'refused' | 'wrong_number';

/**
 * What a transaction-bound request (RFC 9396 `authorization_details`) asks the person to approve: the
 * sentence the device shows next to the numbers, and the details themselves, whose digest the device
 * signs with its approval.
 */
export interface PushTransaction {
  summary: string;
  details: unknown[];
}

/** One push request with number matching, sent for one login interaction. */
export interface PushChallenge {
  id: string;
  userId: string;
  /** The login interaction that asked; its page shows `number` and waits. */
  interactionUid: string;
  clientId: string;
  /** Shown on the device: which application asked. */
  clientName: string;
  /** Shown on the device: where the login came from. */
  ip: string;
  /** The two-digit number the login page shows and the person must pick on the device. */
  number: number;
  /** The numbers the device offers, `number` among them, in display order. */
  choices: number[];
  /** Random; the device signs it with its answer, so an answer fits this challenge only. */
  nonce: string;
  /** Set for a transaction-bound login: what the device shows and signs over; null otherwise. */
  transaction: PushTransaction | null;
  status: PushChallengeStatus;
  /** Set with `denied`, null otherwise. */
  denialReason: PushDenialReason | null;
  /** Epoch seconds. */
  createdAt: number;
  /** Epoch seconds; from then on the challenge can no longer be answered. */
  expiresAt: number;
  resolvedAt: number | null;
  /** The device that answered, when one did. */
  deviceId: string | null;
  /** When an approval became a proof of the login; an approval counts once. */
  consumedAt: number | null;
}

export interface OpenPushChallengeInput {
  userId: string;
  interactionUid: string;
  clientId: string;
  clientName: string;
  ip: string;
  number: number;
  choices: number[];
  nonce: string;
  transaction?: PushTransaction | null;
  now: number;
  expiresAt: number;
}

/** A device's answer as it is recorded. */
export type PushAnswer = { status: 'approved' } | { status: 'denied'; denialReason: PushDenialReason };

export type ResolvePushChallengeInput = PushAnswer & {
  id: string;
  userId: string;
  nonce: string;
  deviceId: string;
  now: number;
};

export interface PushChallengesRepository {
  /**
   * Opens a challenge. At most one is open per interaction: while another is open (even one whose
   * time has passed but is not yet marked expired — call `expireDue` first), rejects with a
   * `StoreConflictError`.
   */
  open(input: OpenPushChallengeInput): Promise<PushChallenge>;
  findById(id: string): Promise<PushChallenge | undefined>;
  /** The most recent challenge of an interaction, whatever its status. */
  latestForInteraction(interactionUid: string): Promise<PushChallenge | undefined>;
  /** The user's challenges that are open and not yet expired, oldest first. */
  listPendingForUser(userId: string, now: number): Promise<PushChallenge[]>;
  /**
   * The single-use answer. Atomic: resolves true only for the one caller that moved the challenge
   * from `open` while it was unexpired and the user and nonce matched; false for everyone else.
   */
  resolve(input: ResolvePushChallengeInput): Promise<boolean>;
  /**
   * Marks open challenges whose time has passed as `expired` — all of them, those of one
   * interaction, or one — and returns each one it marked, exactly once across concurrent callers.
   */
  expireDue(now: number, scope?: { interactionUid: string } | { id: string }): Promise<PushChallenge[]>;
  /**
   * Marks the interaction's open challenges `withdrawn` (its login ended) and returns each one it
   * marked, exactly once across concurrent callers. Atomic against `resolve`: of an answer and a
   * withdrawal racing for one challenge, exactly one wins.
   */
  withdrawOpen(interactionUid: string, now: number): Promise<PushChallenge[]>;
  /** Turns an approval into a proof once. Atomic: true only for the first caller. */
  consumeApproval(id: string, now: number): Promise<boolean>;
}
