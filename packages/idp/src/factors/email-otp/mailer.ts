import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
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
    const transport = smtpTransport(settings.smtpUrl, settings.smtpCaFile);
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
    // Made at start, so that the folder a developer is told to watch exists before the first code.
    mkdirSync(settings.outboxDir, { recursive: true, mode: 0o700 });
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

/**
 * An SMTP transport with safe defaults: TLS 1.2 at least, certificates checked (against `caFile` when
 * given, else the system's CAs), credentials sent only inside TLS — with `smtp://` and a user, the
 * server must offer STARTTLS or nothing is sent — and timeouts short enough that a mail server that
 * stopped answering fails the send while the person still waits on the page, not minutes later.
 * Options in the URL's query (`?requireTLS=false`, `tls.servername=…`) win over these.
 */
function smtpTransport(smtpUrl: string, caFile: string | undefined) {
  const url = new URL(smtpUrl);
  let ca: string | undefined;
  if (caFile !== undefined) {
    try {
      ca = readFileSync(caFile, 'utf8');
    } catch (error) {
      throw new Error(`email.smtpCaFile: cannot read ${caFile}`, { cause: error });
    }
  }
  return nodemailer.createTransport({
    url: smtpUrl,
    requireTLS: url.protocol === 'smtp:' && (url.username !== '' || url.password !== ''),
    tls: { minVersion: 'TLSv1.2', ...(ca === undefined ? {} : { ca }) },
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
}
