/** The loud warning when the session secret was made up for this process (development only). */
export function warnAboutGeneratedSessionSecret(out: (line: string) => void): void {
  out('');
  out('  !!! WARNING: SALARY_SESSION_SECRET is not set. A random one was generated for this process:');
  out('  !!! everyone is signed out when it stops, and several instances would not share sessions.');
  out('  !!! Set it to 32+ random bytes (`openssl rand -base64 32`); production refuses to start without.');
  out('');
}
