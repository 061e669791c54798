/**
 * NIST SP 800-63B-4 (3.1.1.2) for passwords a person chooses: a minimum length (8 when the password
 * is one factor of two; 15 when it is the only factor), at least 64 characters allowed, every
 * printable character and space allowed, no composition rules, and a check against passwords known
 * to be common or breached. Lengths count Unicode code points after NFKC normalisation.
 */
export const NIST_MINIMUM_LENGTH = 8;
/** NIST asks for at least 64; the cap only keeps argon2's input bounded. */
export const MAXIMUM_PASSWORD_LENGTH = 1024;

export type PasswordProblemCode =
  | 'password_too_short'
  | 'password_too_long'
  | 'password_too_common'
  | 'password_matches_account';

export interface PasswordProblem {
  code: PasswordProblemCode;
  /** Says what to do, in words a person reads on the page, the CLI or the API's error. */
  message: string;
}

/**
 * The form a password is hashed and compared in: NFKC, so the same characters typed on another
 * keyboard or system (composed or decomposed accents, full-width digits) are the same password.
 */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

let commonPasswords: Promise<ReadonlySet<string>> | undefined;

/**
 * zxcvbn-ts's list of common passwords, drawn from breach corpora: about 49,000 entries, lower case.
 * Loaded at the first password set, not at start: unpacking it takes tens of milliseconds.
 */
async function isCommonPassword(normalized: string): Promise<boolean> {
  commonPasswords ??= import('@zxcvbn-ts/language-common').then(
    ({ dictionary }) => new Set(dictionary['passwords-common']),
  );
  return (await commonPasswords).has(normalized.toLowerCase());
}

/**
 * Why a new password cannot be used, or undefined when it can. `accountWords` are the username, the
 * email address and the like: NIST counts them among the context-specific words to refuse.
 */
export async function checkNewPassword(
  password: string,
  policy: { minLength: number; accountWords?: readonly (string | null | undefined)[] },
): Promise<PasswordProblem | undefined> {
  const normalized = normalizePassword(password);
  const length = [...normalized].length;
  if (length < policy.minLength) {
    return {
      code: 'password_too_short',
      message: `Use at least ${policy.minLength} characters; a few unrelated words make a long password easy to remember.`,
    };
  }
  if (length > MAXIMUM_PASSWORD_LENGTH) {
    return { code: 'password_too_long', message: `Use at most ${MAXIMUM_PASSWORD_LENGTH} characters.` };
  }
  if (await isCommonPassword(normalized)) {
    return {
      code: 'password_too_common',
      message:
        'This password is on a list of common and leaked passwords that attackers try first. Choose another.',
    };
  }
  const lower = normalized.toLowerCase();
  const matchesAccount = (policy.accountWords ?? []).some((word) => {
    const value = word ? normalizePassword(word).toLowerCase() : '';
    return value.length > 0 && (lower === value || lower === value.split('@')[0]);
  });
  if (matchesAccount) {
    return {
      code: 'password_matches_account',
      message: 'Do not use your username or email address as your password.',
    };
  }
  return undefined;
}
