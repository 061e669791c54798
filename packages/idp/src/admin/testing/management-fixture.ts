import type { AuditEvent } from '../../store/audit-events.ts';
import { addPerson, machineToken, personToken } from '../../testing/management-tokens.ts';
import { startTestProvider, type TestProvider } from '../../testing/test-provider.ts';
import {
  ALLOWED_SCOPES_METADATA,
  MANAGEMENT_SCOPES,
  managementApiIdentifier,
} from '../management-api-identity.ts';

export const PASSWORD = 'operator password 1';
export const TOTP_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
/** A public client the test people sign in with, allowed every management scope (like the dashboard). */
const CONSOLE_CLIENT = 'ops-console';
/** Short, so a test can make an authentication stale while its token still lives. */
export const FRESH_AUTH_SECONDS = 60;

export interface ApiResponse {
  status: number;
  body: { error?: { code: string; message: string; details: Record<string, unknown> } } & Record<
    string,
    unknown
  >;
  headers: Headers;
}

export interface ManagementFixture {
  idp: TestProvider;
  /** The provider's clock, epoch seconds. */
  clock: () => number;
  /** Moves the provider's clock forward. */
  advance(seconds: number): void;
  call(token: string, method: string, path: string, body?: unknown): Promise<ApiResponse>;
  /** A machine client's token with these scopes (the client is allowed exactly these) for `resource`. */
  machine(scopes: readonly string[], clientId?: string, resource?: string): Promise<string>;
  /** Creates a person (admin or not) with a password and TOTP; returns their id. */
  person(username: string, admin: boolean): Promise<string>;
  /** Signs the person in with password + TOTP and returns their token with every management scope. */
  signIn(username: string): Promise<string>;
  /** Audit events of one type, oldest first. */
  audit(type: string): Promise<AuditEvent[]>;
  close(): Promise<void>;
}

/** A real provider with the management API, a console client for people, and a movable clock. */
export async function openManagementFixture(
  settings: NonNullable<Parameters<typeof startTestProvider>[0]> = {},
): Promise<ManagementFixture> {
  let offset = 0;
  const clock = () => Math.floor(Date.now() / 1000) + offset;
  const idp = await startTestProvider({
    clock,
    admin: { freshAuthSeconds: FRESH_AUTH_SECONDS },
    ...settings,
  });
  await idp.addClient({
    client_id: CONSOLE_CLIENT,
    token_endpoint_auth_method: 'none',
    [ALLOWED_SCOPES_METADATA]: { [managementApiIdentifier(idp.issuer)]: [...MANAGEMENT_SCOPES] },
  });
  let machines = 0;
  return {
    idp,
    clock,
    advance(seconds) {
      offset += seconds;
    },
    async call(token, method, path, body) {
      const response = await fetch(`${idp.issuer}/api/v1${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return {
        status: response.status,
        body: text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : { text },
        headers: response.headers,
      };
    },
    async machine(scopes, clientId = `robot-${++machines}`, resource = managementApiIdentifier(idp.issuer)) {
      return machineToken(idp, clientId, scopes, scopes, resource);
    },
    async person(username, admin) {
      return addPerson(idp, username, { admin, password: PASSWORD, totpSecret: TOTP_SECRET });
    },
    async signIn(username) {
      // Each sign-in proves a new TOTP time step.
      offset += 30;
      return personToken(idp, {
        clientId: CONSOLE_CLIENT,
        username,
        password: PASSWORD,
        totpSecret: TOTP_SECRET,
        clock,
        scopes: MANAGEMENT_SCOPES,
      });
    },
    async audit(type) {
      const events: AuditEvent[] = [];
      for await (const event of idp.stepup.store.auditEvents.export({ type })) events.push(event);
      return events;
    },
    close: () => idp.close(),
  };
}
