import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';

/** A response header and its value, the same for every response. */
export type SecurityHeaders = readonly (readonly [name: string, value: string])[];

/**
 * The security headers every response carries, worked out once by helmet. helmet builds them anew
 * on every response (the Content-Security-Policy string from its directives, each time), although
 * with our options they never change; so helmet runs once here, against a response that only
 * records what is set, and each response gets the recorded list.
 */
export function securityHeaders(options: { https: boolean }): SecurityHeaders {
  const recorded = new Map<string, string>();
  const recorder = {
    setHeader(name: string, value: unknown) {
      recorded.set(name.toLowerCase(), String(value));
    },
    removeHeader(name: string) {
      recorded.delete(name.toLowerCase());
    },
  };
  let done = false;
  helmet(helmetOptions(options))({} as IncomingMessage, recorder as unknown as ServerResponse, () => {
    done = true;
  });
  // helmet sets its headers synchronously; a later version that did not would send none here.
  if (!done) throw new Error('helmet did not set its headers synchronously');
  return [...recorded];
}

function helmetOptions({ https }: { https: boolean }): HelmetOptions {
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        styleSrc: ["'self'"],
        // Scripts only from /assets (WebAuthn pages; push waits on its stream), never inline; they
        // talk to this origin only.
        scriptSrc: ["'self'"],
        connectSrc: ["'self'"],
        // The authenticator app's web manifest (its service worker falls back to script-src).
        manifestSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        // No form-action: browsers apply it to the redirect back to the application after a form post.
      },
    },
    strictTransportSecurity: https ? { maxAge: 31536000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginEmbedderPolicy: false,
  };
}
