import type { EmailMessage } from './mailer.ts';

function describeMinutes(seconds: number): string {
  const minutes = Math.max(1, Math.round(seconds / 60));
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

/**
 * The email that carries a sign-in code. The code stays out of the subject, which shows on lock
 * screens and in mail server logs; the body says what to do if the person did not try to sign in.
 */
export function composeEmailCodeMessage(options: {
  to: string;
  code: string;
  clientName: string;
  codeTtlSeconds: number;
}): EmailMessage {
  return {
    to: options.to,
    subject: 'Your Stepup sign-in code',
    text: [
      `Your code to sign in to ${options.clientName}:`,
      '',
      `    ${options.code}`,
      '',
      `It works once, for ${describeMinutes(options.codeTtlSeconds)}. Enter it on the sign-in page.`,
      '',
      'If you did not just try to sign in, someone may know your password: change it now, and do not',
      'share this code with anyone. Stepup will never ask you for it by phone or by email.',
      '',
    ].join('\n'),
  };
}
