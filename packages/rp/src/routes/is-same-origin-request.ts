/**
 * Whether a state-changing request came from a page of `origin` (or was typed or scripted without a
 * page at all), judged by what browsers send on their own and pages cannot forge: `Origin` (sent
 * with every POST by current browsers; `null` from opaque origins) and Fetch Metadata's
 * `Sec-Fetch-Site`. `same-site` is refused too: another subdomain is another application. A client
 * that sends neither header is not a browser, so not the victim of a cross-site request.
 */
export function isSameOriginRequest(request: Request, origin: string): boolean {
  const site = request.headers.get('sec-fetch-site');
  if (site !== null && site !== 'same-origin' && site !== 'none') return false;
  const from = request.headers.get('origin');
  return from === null || from === origin;
}
