import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, type CDPSession, chromium, type Page } from 'playwright-core';

/** Debian's Chromium; playwright-core never downloads a browser of its own. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Headless Chromium for the browser tests. Close it in `after`. */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/**
 * The authenticators the DevTools protocol can simulate (WebAuthn domain):
 * - `security-key`: a roaming CTAP2 key over USB, no resident keys, no PIN — presence only;
 * - `security-key-with-pin`: a FIDO2 key with a PIN (always right), which can also hold passkeys
 *   (discoverable credentials);
 * - `platform-passkey`: the device's own authenticator, discoverable credentials, biometric that
 *   always succeeds.
 */
export type VirtualAuthenticatorKind = 'security-key' | 'security-key-with-pin' | 'platform-passkey';

export interface VirtualCredential {
  credentialId: string;
  isResidentCredential: boolean;
  rpId?: string;
  privateKey: string;
  userHandle?: string;
  signCount: number;
}

export interface VirtualAuthenticator {
  cdp: CDPSession;
  authenticatorId: string;
  /** The credentials it holds, as the protocol reports them (signCount, privateKey, …). */
  credentials(): Promise<VirtualCredential[]>;
}

/** Attaches a virtual authenticator to the page's tab; it answers every WebAuthn request there. */
export async function addVirtualAuthenticator(
  page: Page,
  kind: VirtualAuthenticatorKind,
): Promise<VirtualAuthenticator> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const roaming = kind !== 'platform-passkey';
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: roaming ? 'usb' : 'internal',
      hasResidentKey: kind !== 'security-key',
      hasUserVerification: kind !== 'security-key',
      isUserVerified: kind !== 'security-key',
      automaticPresenceSimulation: true,
    },
  });
  return {
    cdp,
    authenticatorId,
    async credentials() {
      const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
      return credentials as VirtualCredential[];
    },
  };
}

/**
 * The application's end of a browser login: a loopback server that answers its redirect URI with a
 * blank page, so the browser lands somewhere real and the test reads the callback from the tab.
 * (Route handlers do not see redirected requests, and `TEST_REDIRECT_URI` has nothing listening.)
 */
export interface CallbackServer {
  redirectUri: string;
  /** Runs `action` (a click, say) and resolves with the callback URL the browser landed on. */
  follow(page: Page, action: () => Promise<unknown>): Promise<URL>;
  close(): Promise<void>;
}

export async function startCallbackServer(): Promise<CallbackServer> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('signed in');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const redirectUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`;
  return {
    redirectUri,
    async follow(page, action) {
      await Promise.all([
        page.waitForURL((url) => url.href.startsWith(`${redirectUri}?`), { timeout: 15_000 }),
        action(),
      ]);
      return new URL(page.url());
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}
