import type { EmailMessage } from '../factors/email-otp/mailer.ts';

/**
 * The email with a password reset link. The link stays out of the subject, which shows on lock
 * screens; the body says what to do when the person did not ask.
 */
export function composePasswordResetEmail(options: {
  to: string;
  link: string;
  ttlSeconds: number;
}): EmailMessage {
  const minutes = Math.max(1, Math.round(options.ttlSeconds / 60));
  return {
    to: options.to,
    subject: 'Reset your Stepup password',
    text: [
      'Someone asked to reset the password of your Stepup account. To choose a new password, open:',
      '',
      `    ${options.link}`,
      '',
      `The link works once, for ${minutes === 1 ? '1 minute' : `${minutes} minutes`}. If you have a second`,
      'factor, the page asks for it too.',
      '',
      'If you did not ask, ignore this email: your password stays as it is.',
      '',
    ].join('\n'),
  };
}

/** The notice that the password changed, so a person whose account was taken over hears of it. */
export function composePasswordChangedEmail(options: {
  to: string;
  username: string;
  how: 'changed' | 'reset';
}): EmailMessage {
  return {
    to: options.to,
    subject: 'Your Stepup password was changed',
    text: [
      `The password of your Stepup account ${options.username} was ${options.how === 'reset' ? 'reset with an emailed link' : 'changed on your account page'}.`,
      'Your other sign-ins were ended and remembered browsers were forgotten.',
      '',
      'If this was not you, contact your administrator now: someone may have taken over your account.',
      '',
    ].join('\n'),
  };
}
