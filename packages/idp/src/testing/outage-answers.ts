import { RETRY_AFTER_SECONDS } from '../http/store-errors.ts';

// How a request answered while a backing service was away, and what is wrong with such an answer:
// the reading and judging half of the outage sweep (http/store-outage-sweep.test.ts).

/** Longer than any store timeout the sweep's provider is started with: a request still open then hangs. */
export const CLIENT_TIMEOUT_MS = 8000;

/** One request of the sweep. */
export interface SweepRequest {
  /** `METHOD /route` as registered, or the oidc-provider endpoint and what is asked of it. */
  name: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** The status a working store gives, where the request is made to succeed. */
  succeeds?: number;
}

/** What came back: no answer within the client timeout is status 0. */
export interface SweepAnswer {
  status: number;
  retryAfter: string | null;
  contentType: string;
  /** OAuth `error` (body or redirect), or the management API's `error.code`. */
  error: string | undefined;
}

/** Sends one request with the client timeout; reads the answer (an event stream up to its first event). */
export async function ask(issuer: string, request: SweepRequest): Promise<SweepAnswer> {
  let response: Response;
  try {
    response = await fetch(new URL(request.path, issuer), {
      method: request.method,
      headers: request.headers,
      ...(request.body === undefined ? {} : { body: request.body }),
      redirect: 'manual',
      signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
    });
  } catch {
    return { status: 0, retryAfter: null, contentType: '', error: 'no answer' };
  }
  const contentType = response.headers.get('content-type') ?? '';
  let error: string | undefined;
  const location = response.headers.get('location');
  if (location) error = new URL(location, issuer).searchParams.get('error') ?? undefined;
  if (contentType.startsWith('text/event-stream')) {
    // A stream counts as an answer once it delivers an event; one that only keeps alive is hung.
    if (!(await firstEventArrives(response)))
      return { ...answerOf(response), error: 'stream without events' };
  } else {
    const text = await response.text();
    // Only a JSON document names an error (an NDJSON export is records).
    if (contentType.startsWith('application/json')) {
      const body = JSON.parse(text) as { error?: string | { code?: string } };
      error = typeof body.error === 'object' ? body.error.code : body.error;
    }
  }
  return { ...answerOf(response), error };
}

function answerOf(response: Response): SweepAnswer {
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    contentType: response.headers.get('content-type') ?? '',
    error: undefined,
  };
}

/** Reads a stream until its first event; false when it ends or the client timeout ends it first. */
export async function firstEventArrives(
  response: Response,
  options: { keepOpen?: boolean } = {},
): Promise<boolean> {
  const reader = response.body?.getReader();
  if (!reader) return false;
  const decoder = new TextDecoder();
  let text = '';
  try {
    while (!/(^|\n)event:/.test(text)) {
      const { done, value } = await reader.read();
      if (done) return false;
      text += decoder.decode(value, { stream: true });
    }
    return true;
  } catch {
    return false;
  } finally {
    if (options.keepOpen) reader.releaseLock();
    else reader.cancel().catch(() => {});
  }
}

/** Reads a stream to its end: true when the server ends it, false when the client timeout does. */
export async function streamEnds(response: Response): Promise<boolean> {
  const reader = response.body?.getReader();
  if (!reader) return false;
  try {
    for (;;) if ((await reader.read()).done) return true;
  } catch {
    return false;
  }
}

/** What is wrong with an answer given while the store is down, or undefined when it is right. */
export function outageFault(
  request: SweepRequest,
  answer: SweepAnswer,
  healthy: SweepAnswer,
): string | undefined {
  if (answer.status === 0) return 'no answer (hung)';
  if (answer.error === 'server_error') return `${answer.status} server_error`;
  if (answer.status === 503) {
    if (answer.retryAfter !== String(RETRY_AFTER_SECONDS)) return '503 without Retry-After';
    const page = request.headers.accept?.startsWith('text/html') ?? false;
    if (page && !answer.contentType.startsWith('text/html'))
      return `503 as ${answer.contentType}, not a page`;
    if (!page && answer.error !== 'temporarily_unavailable') return `503 with error ${answer.error}`;
    return undefined;
  }
  // Not refused: then it did not need the store, and answers as it does when the store is up.
  if (answer.status !== healthy.status || answer.error !== healthy.error) {
    return `${answer.status} ${answer.error ?? ''} (with the store up: ${healthy.status} ${healthy.error ?? ''})`;
  }
  return undefined;
}

/** What is wrong with an answer to a request the outage may have cut in the middle. */
export function cutShortFault(answer: SweepAnswer): string | undefined {
  if (answer.status === 0) return 'no answer (hung)';
  if (answer.error === 'server_error') return `${answer.status} server_error`;
  if (answer.status === 503 && answer.retryAfter !== String(RETRY_AFTER_SECONDS))
    return '503 without Retry-After';
  if (answer.status >= 500 && answer.status !== 503) return String(answer.status);
  return undefined;
}
