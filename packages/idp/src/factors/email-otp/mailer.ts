import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type { Logger } from 'pino';
import type { EmailSettings } from './email-settings.ts';

/** One plain-text message. */
export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
}

/** Sends the provider's email. Rejects when the message could not be handed over. */
export interface Mailer {
  send(message: EmailMessage): Promise<void>;
}

/**
 * The mailer the settings ask for: SMTP through nodemailer when `smtpUrl` is set; otherwise
 * (development) each message is written to `outboxDir` as an .eml file and the log names the file.
 * The log never holds the message itself: it carries a sign-in code.
 */
export function createMailer(settings: EmailSettings, logger: Logger): Mailer {
  const log = logger.child({ component: 'email' });
  if (settings.smtpUrl !== undefined) {
    const transport = nodemailer.createTransport(settings.smtpUrl);
    return {
      async send(message) {
        try {
          await transport.sendMail({ from: settings.from, ...message });
        } catch (error) {
          // nodemailer's errors name the server and the SMTP reply, never the message body.
          log.error({ err: error }, 'sending an email over SMTP failed');
          throw error;
        }
      },
    };
  }

  if (settings.enabled) {
    log.warn(
      { outboxDir: settings.outboxDir },
      'email.smtpUrl is not set: emails are written to the outbox folder instead of being sent (development only)',
    );
  }
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send(message) {
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const path = join(settings.outboxDir, `${stamp}-${randomUUID()}.eml`);
      try {
        const info = await transport.sendMail({ from: settings.from, ...message });
        // Messages hold sign-in codes: the folder and files are for the service user only.
        await mkdir(settings.outboxDir, { recursive: true, mode: 0o700 });
        await writeFile(path, info.message as Buffer, { mode: 0o600 });
      } catch (error) {
        log.error({ err: error, path }, 'writing an email to the outbox failed');
        throw error;
      }
      log.info({ path }, 'email written to the outbox');
    },
  };
}
