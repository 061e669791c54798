/**
 * The provider's Content-Security-Policy with one addition for the dashboard page: `<style>` elements
 * carrying `nonce`. CodeMirror writes its theme into such an element at run time (`EditorView.cspNonce`);
 * everything else stays as strict as on the login pages — scripts only from this origin, nothing inline.
 */
export function allowStyleNonce(policy: string, nonce: string): string {
  if (!/^[A-Za-z0-9+/_-]+=*$/.test(nonce)) throw new TypeError('allowStyleNonce: the nonce must be base64');
  const directives = policy
    .split(';')
    .map((directive) => directive.trim())
    .filter(Boolean);
  const source = `'nonce-${nonce}'`;
  const index = directives.findIndex((directive) => directive.split(/\s+/)[0] === 'style-src');
  if (index === -1) directives.push(`style-src 'self' ${source}`);
  else directives[index] = `${directives[index]} ${source}`;
  return directives.join(';');
}
