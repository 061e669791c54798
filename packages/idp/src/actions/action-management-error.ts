/** Stable codes of the management operations (CLI and admin API); the message is for people. */
export type ActionManagementErrorCode = 'invalid_request' | 'not_found' | 'conflict';

/** A deploy, enable, reorder or test-run that can not be done as asked. */
export class ActionManagementError extends Error {
  readonly code: ActionManagementErrorCode;

  constructor(code: ActionManagementErrorCode, message: string) {
    super(message);
    this.name = 'ActionManagementError';
    this.code = code;
  }
}
