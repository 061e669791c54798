import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Undoes quoted-printable (RFC 2045 6.7): soft line breaks and `=XX` escapes. */
function decodeQuotedPrintable(text: string): string {
  return text
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_match, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

/**
 * The bodies of the messages the development outbox of `dataDir` holds for `address`, oldest first,
 * decoded. An outbox that does not exist holds nothing.
 */
export function outboxMessagesTo(dataDir: string, address: string): string[] {
  const outbox = join(dataDir, 'outbox');
  if (!existsSync(outbox)) return [];
  return readdirSync(outbox)
    .sort()
    .map((file) => readFileSync(join(outbox, file), 'utf8'))
    .filter((message) => new RegExp(`^To: ${address}$`, 'm').test(message))
    .map((message) =>
      /^Content-Transfer-Encoding: quoted-printable$/im.test(message)
        ? decodeQuotedPrintable(message)
        : message,
    );
}

/** The password reset links in the outbox for `address`, oldest first. */
export function resetLinksSentTo(dataDir: string, address: string): string[] {
  return outboxMessagesTo(dataDir, address).flatMap((message) => {
    const link = /^ {4}(\S+\/account\/password\/reset\?token=\S+)$/m.exec(message)?.[1];
    return link ? [link] : [];
  });
}
