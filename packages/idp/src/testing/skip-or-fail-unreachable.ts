/** A service that a test file needs, as named in the messages when it cannot be reached. */
export interface TestService {
  /** Its name in prose, such as `PostgreSQL`. */
  name: string;
  /** The URL that was tried; a password in it is masked in the message. */
  url: string;
  /** The environment variable that names another server. */
  urlVariable: string;
}

/**
 * Decides what happens when `service` cannot be reached: in CI (`CI` set) it throws, so the test file
 * fails instead of passing without having run; elsewhere it returns the reason to skip, for
 * `describe(name, { skip }, …)`.
 */
export function skipOrFailUnreachable(service: TestService, error: unknown, env: NodeJS.ProcessEnv): string {
  const reason = `${service.name} is not reachable at ${redactPassword(service.url)} (${(error as Error).message}); start it or set ${service.urlVariable}`;
  if (env.CI) throw new Error(`${reason}. CI is set, so the ${service.name} tests fail instead of skipping.`);
  return `${reason}. Skipping the ${service.name} tests.`;
}

function redactPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.href;
  } catch {
    return 'the configured URL';
  }
}
