import type { PushChallenge, PushChallengeStatus, PushDenialReason } from './push-challenges.ts';

/** A `push_challenges` row as the SQL stores read it, with `choices` already decoded. */
export interface PushChallengeRow {
  id: string;
  user_id: string;
  interaction_uid: string;
  client_id: string;
  client_name: string;
  ip: string;
  number: number;
  choices: number[];
  nonce: string;
  status: string;
  denial_reason: string | null;
  created_at: number;
  expires_at: number;
  resolved_at: number | null;
  device_id: string | null;
  consumed_at: number | null;
}

/** The columns a `PushChallengeRow` is read from, in one place for every SQL store. */
export const PUSH_CHALLENGE_COLUMNS =
  'id, user_id, interaction_uid, client_id, client_name, ip, number, choices, nonce, status, denial_reason, created_at, expires_at, resolved_at, device_id, consumed_at';

/** Maps a `push_challenges` row to the challenge it stores. */
export function toPushChallenge(row: PushChallengeRow): PushChallenge {
  return {
    id: row.id,
    userId: row.user_id,
    interactionUid: row.interaction_uid,
    clientId: row.client_id,
    clientName: row.client_name,
    ip: row.ip,
    number: row.number,
    choices: row.choices,
    nonce: row.nonce,
    // The columns have CHECK constraints listing exactly these values.
    status: row.status as PushChallengeStatus,
    denialReason: row.denial_reason as PushDenialReason | null,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    resolvedAt: row.resolved_at,
    deviceId: row.device_id,
    consumedAt: row.consumed_at,
  };
}
