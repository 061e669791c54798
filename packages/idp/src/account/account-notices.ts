/**
 * The messages the account page shows after a change, named in its URL (`?notice=`). Only these
 * fixed texts are ever shown: nothing from the URL reaches the page.
 */
const NOTICES = {
  renamed: { kind: 'success', text: 'The name was changed.' },
  removed: {
    kind: 'success',
    text: 'The factor was removed. Browsers you had chosen to remember will ask for a second factor again.',
  },
  enrolled: { kind: 'success', text: 'Your new factor is ready. It works from your next sign-in.' },
  'push-enrolled': { kind: 'success', text: 'Your device was added. It will receive sign-in requests.' },
  'push-not-enrolled': {
    kind: 'error',
    text: 'No new device was added yet. Open the link on your device, add it, then choose “I’ve added it”.',
  },
  forgotten: {
    kind: 'success',
    text: 'Remembered browsers were forgotten. Each will ask for a second factor again.',
  },
  'verify-again': {
    kind: 'error',
    text: 'To keep your account safe, changes need a recent sign-in with a second factor. You are verified now: make the change again.',
  },
  verified: { kind: 'success', text: 'You are verified. You can now make changes for a few minutes.' },
  'step-up-failed': {
    kind: 'error',
    text: 'We could not verify you with a second factor, so nothing was changed. Try again.',
  },
  'last-factor': {
    kind: 'error',
    text: 'This is your only second factor, so it was not removed. Without one, anyone with your password could set up their own at the next sign-in. Add another factor first, then remove this one.',
  },
  'not-found': { kind: 'error', text: 'That factor is not on your account. Nothing was changed.' },
  'factor-switched-off': {
    kind: 'error',
    text: 'That kind of factor is switched off for now, so it can not be added. Nothing was changed.',
  },
  'password-changed': {
    kind: 'success',
    text: 'Your password was changed. Your other sign-ins were ended and remembered browsers were forgotten.',
  },
  'bad-name': { kind: 'error', text: 'Use 1 to 64 characters for the name. Nothing was changed.' },
} as const satisfies Record<string, { kind: 'success' | 'error'; text: string }>;

export type AccountNotice = keyof typeof NOTICES;

export function isAccountNotice(value: unknown): value is AccountNotice {
  return typeof value === 'string' && Object.hasOwn(NOTICES, value);
}

/** The text and tone of a notice. */
export function describeAccountNotice(notice: AccountNotice): { kind: 'success' | 'error'; text: string } {
  return NOTICES[notice];
}
