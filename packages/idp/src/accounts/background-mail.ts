import type { Logger } from 'pino';
import type { EmailMessage, Mailer } from '../factors/email-otp/mailer.ts';

/** Email the person does not wait for: a reset link, a notice that their password changed. */
export interface BackgroundMail {
  /** Hands the message to the mailer without waiting; a failure is logged, never thrown. */
  send(message: EmailMessage): void;
  /**
   * Runs `prepare` (e.g. storing the link the message carries) and sends what it resolves, if
   * anything, without waiting for either; a failure is logged, never thrown.
   */
  sendWhenReady(prepare: () => Promise<EmailMessage | undefined>): void;
  /** Resolves once every message handed over so far was sent or failed (tests, shutdown). */
  settled(): Promise<void>;
}

/**
 * Sends in the background, so that how long a mail server (or storing a link) takes never shows in a
 * page's answer time: the forgotten-password page answers as fast for an address that has an
 * account as for one that has none.
 */
export function createBackgroundMail(mailer: Mailer, logger: Pick<Logger, 'error'>): BackgroundMail {
  const pending = new Set<Promise<void>>();
  const sendWhenReady = (prepare: () => Promise<EmailMessage | undefined>) => {
    // Started on the next turn of the event loop, once the page's answer has been written.
    const sending: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
      .then(prepare)
      .then((message) => (message ? mailer.send(message) : undefined))
      .catch((error: unknown) => logger.error({ err: error }, 'could not send an account email'))
      .finally(() => pending.delete(sending));
    pending.add(sending);
  };
  return {
    send: (message) => sendWhenReady(async () => message),
    sendWhenReady,
    async settled() {
      await Promise.all(pending);
    },
  };
}
