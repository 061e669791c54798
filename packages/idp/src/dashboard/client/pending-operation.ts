import type { ApiRequest } from './management-api.ts';

/** sessionStorage key of the change the operator asked for while a sign-in redirect is in flight. */
const PENDING_KEY = 'stepup-dashboard:pending-operation';

/**
 * A change the operator asked for that the API refused for want of a (fresh) authentication: the
 * request itself, kept in this tab's sessionStorage across the redirect to the provider and back, then
 * sent again. It holds what the operator typed (an Action's code, say), never a token.
 */
export interface PendingOperation {
  /** Which page handles the result (e.g. `action.deploy`). */
  kind: string;
  /** What the operator asked for, in words: "Deploy salary-step-up". */
  label: string;
  /** The dashboard route to come back to. */
  route: string;
  request: ApiRequest;
}

export function savePendingOperation(operation: PendingOperation): void {
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(operation));
}

/** Returns the pending operation and forgets it, so it is sent again at most once. */
export function takePendingOperation(): PendingOperation | undefined {
  const stored = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  return stored ? (JSON.parse(stored) as PendingOperation) : undefined;
}

/** Drops a pending operation (the sign-in failed or was cancelled). */
export function discardPendingOperation(): void {
  sessionStorage.removeItem(PENDING_KEY);
}
