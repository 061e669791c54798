/**
 * Why one Action execution failed. Stable: tests, logs and the admin API switch on these codes; the
 * detail that goes with a code is for the execution log only.
 *
 * Every one of them denies the login: a failing Action never lets a login through without the MFA
 * it might have asked for (ARCHITECTURE.md, invariant 6).
 */
export type ActionErrorCode =
  /** The script does not compile, exports no `onExecutePostLogin` function, or resolves to a value. */
  | 'action_invalid'
  /** The script threw, or the promise of `onExecutePostLogin` rejected. */
  | 'action_threw'
  /** The script ran longer than `actions.timeoutMs`. */
  | 'action_timeout'
  /** The script needed more than `actions.memoryLimitBytes`. */
  | 'action_out_of_memory'
  /** The script recursed deeper than `actions.maxStackBytes` allows. */
  | 'action_stack_overflow'
  /** The promise of `onExecutePostLogin` can never settle: nothing is left to run and it is pending. */
  | 'action_did_not_settle'
  /** The script wrote more than `actions.logLimitBytes` to the console. */
  | 'action_log_limit'
  /** An `api` method was called with arguments it does not accept. */
  | 'action_invalid_call'
  /** A custom claim has a registered name (`sub`, `acr`, `amr`, …) or an invalid one. */
  | 'action_invalid_claim'
  /**
   * `api.redirect.validateToken` found no valid token: missing, badly signed, expired, or bound to
   * another login, user or provider. Fails the login even when the script catches it.
   */
  | 'action_invalid_token'
  /**
   * `api.accessToken.addScope` named a scope the client may not be granted for the API of this
   * login (or no API was requested): refused, never silently added nor dropped.
   */
  | 'action_scope_not_grantable'
  /** The script required a module outside the allow-list (`ACTION_MODULES`). */
  | 'action_module_unavailable'
  /** The script called an `api` method Stepup does not provide (`api.session.revoke`, …). */
  | 'action_unsupported_api'
  /** The Action's secrets could not be decrypted (the store's encryption key changed). */
  | 'action_secrets_unreadable'
  /** The sandbox itself failed (its worker crashed or could not start). */
  | 'action_sandbox_failed';

/** A failed execution: a stable code and a private detail (already free of the Action's secrets). */
export interface ActionFailure {
  code: ActionErrorCode;
  detail: string;
}
