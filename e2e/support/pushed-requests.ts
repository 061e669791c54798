/**
 * A `fetch` for the SDK that keeps the body of every pushed authorization request (RFC 9126) it
 * sends: with PAR the step-up parameters are no longer in the browser's URL, so tests read them here.
 */
export function recordPushedRequests(): { fetch: typeof fetch; pushed: URLSearchParams[] } {
  const pushed: URLSearchParams[] = [];
  return {
    pushed,
    fetch: async (input, init) => {
      const body = new URLSearchParams(typeof init?.body === 'string' ? init.body : String(init?.body ?? ''));
      if (init?.method === 'POST' && body.has('response_type')) pushed.push(body);
      return fetch(input, init);
    },
  };
}
