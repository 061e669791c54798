import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { LOCALHOST_TLS_CERTIFICATE, LOCALHOST_TLS_PRIVATE_KEY } from './localhost-tls-certificate.ts';

/** A message the server accepted, as the client delivered it. */
export interface ReceivedMessage {
  /** Envelope recipients (RCPT TO). */
  to: string[];
  /** The user the client authenticated as. */
  user: string;
  /** Whether the session was encrypted (STARTTLS) when the message came in. */
  encrypted: boolean;
  /** The whole message: headers and body. */
  raw: string;
}

export interface SmtpTestServer {
  /** `smtp://user:password@127.0.0.1:<port>`: the client upgrades with STARTTLS and authenticates. */
  url: string;
  port: number;
  received: ReceivedMessage[];
  /** Every AUTH attempt the server saw, with the user named and whether the session was encrypted. */
  logins: { user: string; encrypted: boolean }[];
  close(): Promise<void>;
}

export interface SmtpTestServerOptions {
  user?: string;
  password?: string;
  /** false: the server does not offer STARTTLS (a misconfigured or downgraded server). */
  offerStartTls?: boolean;
}

/**
 * A real SMTP server on 127.0.0.1 (the `smtp-server` package): STARTTLS with the localhost test
 * certificate, AUTH PLAIN/LOGIN required and checked, and every accepted message kept for the test.
 */
export async function startSmtpTestServer(options: SmtpTestServerOptions = {}): Promise<SmtpTestServer> {
  const user = options.user ?? 'stepup';
  const password = options.password ?? 'smtp test password';
  const received: ReceivedMessage[] = [];
  const logins: SmtpTestServer['logins'] = [];
  const server = new SMTPServer({
    key: LOCALHOST_TLS_PRIVATE_KEY,
    cert: LOCALHOST_TLS_CERTIFICATE,
    disabledCommands: options.offerStartTls === false ? ['STARTTLS'] : [],
    // Credentials only over TLS, as a real server is configured: the client must not even try in clear.
    allowInsecureAuth: options.offerStartTls === false,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, session, callback) {
      logins.push({ user: auth.username ?? '', encrypted: session.secure });
      if (auth.username === user && auth.password === password) return callback(null, { user });
      return callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({
          to: session.envelope.rcptTo.map((recipient) => recipient.address),
          user: String(session.user ?? ''),
          encrypted: session.secure,
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}`,
    port,
    received,
    logins,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
