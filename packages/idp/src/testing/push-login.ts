import { ACR_MULTI_FACTOR } from '@stepup/core';
import pino, { type Logger } from 'pino';
import type { DeviceCredentials } from '../authenticator/device-key.ts';
import { credentialsFromKeyFile } from '../authenticator/device-key-file.ts';
import { enrollDevice } from '../authenticator/enroll-device.ts';
import { createInProcessPushNotifier } from '../factors/push/in-process-push-notifier.ts';
import { issuePushEnrollment } from '../factors/push/issue-push-enrollment.ts';
import { createPushContext } from '../factors/push/push-context.ts';
import type { TestBrowser } from './test-browser.ts';
import type { TestProvider } from './test-provider.ts';
import {
  expectPage,
  type PendingLogin,
  submitPassword,
  type TestRelyingParty,
} from './test-relying-party.ts';

/** Auth events as the provider logs them, for tests that assert on the audit trail. */
export function recordingLogger(): { logger: Logger; events: Record<string, unknown>[] } {
  const events: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'info' },
    {
      write(line: string) {
        const entry = JSON.parse(line) as Record<string, unknown>;
        if (entry.component === 'auth') events.push(entry);
      },
    },
  );
  return { logger, events };
}

/** An enrollment link for a user, as the account page or a login's enrollment page would show. */
export async function pushEnrollmentLink(idp: TestProvider, userId: string, now: number): Promise<string> {
  const context = createPushContext({
    store: idp.stepup.store,
    config: idp.stepup.config,
    notifier: createInProcessPushNotifier(),
    logAuthEvent: () => {},
  });
  return (await issuePushEnrollment(context, { userId, interactionUid: null }, now)).link;
}

/** Enrolls a device for a user over HTTP, as the CLI does, and returns what it signs with. */
export async function enrollTestDevice(
  idp: TestProvider,
  userId: string,
  name = 'Phone',
): Promise<DeviceCredentials> {
  const link = await pushEnrollmentLink(idp, userId, Math.floor(Date.now() / 1000));
  return credentialsFromKeyFile(await enrollDevice(link, name));
}

/** The waiting push page, read: the number it shows and where its script listens and goes. */
export interface PushPage {
  html: string;
  status: number;
  number: number;
  eventsUrl: string;
  nextUrl: string;
}

export function readPushPage(page: { html: string; page: Response }): PushPage {
  const number = /class="push-number"[^>]*>(\d{2})</.exec(page.html)?.[1];
  const eventsUrl = /data-push-events="([^"]+)"/.exec(page.html)?.[1];
  const nextUrl = /data-push-next="([^"]+)"/.exec(page.html)?.[1];
  if (!number || !eventsUrl || !nextUrl) throw new Error(`not a waiting push page:\n${page.html}`);
  return { html: page.html, status: page.page.status, number: Number(number), eventsUrl, nextUrl };
}

/** Starts an MFA login and signs in with the password: the page the second factor shows. */
export async function loginToSecondFactor(
  rp: TestRelyingParty,
  username: string,
  password: string,
): Promise<{ pending: PendingLogin; page: { html: string; page: Response; url: string } }> {
  const pending = await rp.authorizationUrl({ acr_values: ACR_MULTI_FACTOR });
  const login = expectPage(await rp.open(pending));
  const page = expectPage(await submitPassword(rp.browser, login.html, username, password));
  return { pending, page };
}

/**
 * Opens a page's event stream in the browser (with its cookies) and resolves with the first event's
 * name, or 'end' when the stream ends without one, or 'timeout'.
 */
export async function firstEvent(
  browser: TestBrowser,
  url: string,
  timeoutMs = 5000,
): Promise<{
  status: number;
  event: Promise<string>;
  close: () => void;
}> {
  const response = await browser.request(url);
  const reader = response.body?.getReader();
  const decoder = new TextDecoder();
  const event = (async () => {
    if (!reader) return 'end';
    let buffer = '';
    const timeout = new Promise<'timeout'>((resolve) =>
      setTimeout(() => resolve('timeout'), timeoutMs).unref(),
    );
    for (;;) {
      const chunk = await Promise.race([reader.read(), timeout]);
      if (chunk === 'timeout') return 'timeout';
      if (chunk.done) return 'end';
      buffer += decoder.decode(chunk.value, { stream: true });
      const name = /(?:^|\n)event: ([\w.]+)\n/.exec(buffer)?.[1];
      if (name) return name;
    }
  })();
  return { status: response.status, event, close: () => void reader?.cancel().catch(() => {}) };
}
