import { ActionManagementError } from './action-management-error.ts';

/** Action names: they are file names in an Actions folder and path segments in the admin API. */
export const ACTION_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Throws `invalid_request` unless `name` can name an Action. */
export function checkActionName(name: string): void {
  if (!ACTION_NAME.test(name)) {
    throw new ActionManagementError(
      'invalid_request',
      `Action name "${name}": use 1 to 64 letters, digits, dots, dashes or underscores, starting with a letter or digit`,
    );
  }
}
