import { networkInterfaces } from 'node:os';
import type { DemoTenant } from './demo-tenant.ts';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
const RULE = '='.repeat(88);

/** The addresses of this machine on its networks, for a phone on the same network. */
export function lanAddresses(bindHost: string): string[] {
  if (bindHost !== '0.0.0.0' && bindHost !== '::') return [bindHost];
  const addresses: string[] = [];
  for (const entries of Object.values(networkInterfaces())) {
    for (const entry of entries ?? []) {
      if (!entry.internal && entry.family === 'IPv4') addresses.push(entry.address);
    }
  }
  return addresses;
}

function withPort(address: string, port: number): string {
  return `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
}

/**
 * What `npm start` prints: the URLs, the demo employees and their passwords, and the way through the
 * scenario. Demo data is said to be demo data, in the header and next to every password.
 */
export function printDemoBanner(
  print: (line: string) => void,
  options: {
    issuer: string;
    appUrl: string;
    host: string;
    port: number;
    appHost: string;
    dataDir: string;
    clientId: string;
    clientRegistered: boolean;
    tenant: DemoTenant | undefined;
  },
): void {
  const { tenant, issuer, appUrl } = options;
  const line = (text = '') => print(text === '' ? '' : `  ${text}`);
  print('');
  print(RULE);
  line(
    tenant
      ? 'Stepup is running — DEMO MODE: made-up employees and passwords, for trying it out only'
      : 'Stepup is running (demo mode off: no demo data)',
  );
  print(RULE);
  line(`Salary app      ${appUrl}`);
  line(`Provider        ${issuer}   (discovery: ${issuer}/.well-known/openid-configuration)`);
  line(`Authenticator   ${issuer}/authenticator   (the phone app, as a web page)`);
  line(`Your factors    ${issuer}/account   (add, rename or remove second factors)`);
  line(
    `Dashboard       ${issuer}/dashboard   (operators: npx stepup-idp user add <name> --password '<password>' --admin)`,
  );

  if (!LOOPBACK_HOSTS.has(options.host)) {
    const lan = lanAddresses(options.host);
    line();
    line(`Listening on ${options.host}, so other devices on your network can reach it:`);
    for (const address of lan) {
      line(`  Authenticator  ${withPort(address, options.port)}/authenticator`);
      if (!LOOPBACK_HOSTS.has(options.appHost)) {
        line(`  Salary app     ${withPort(address, Number(new URL(appUrl).port || 80))}`);
      }
    }
    line('A phone browser keeps the authenticator key only on an https page (or on localhost), and the');
    line('QR code points at the issuer: for a real phone, put the provider behind https and set');
    line('STEPUP_ISSUER to that https address (README.md, "Use your phone").');
  }

  if (tenant) {
    line();
    line(
      `Demo employees (${tenant.created ? 'created now' : `created ${tenant.createdAt.slice(0, 10)}`}; kept in ${tenant.file}):`,
    );
    for (const employee of tenant.employees) {
      line(
        `  ${employee.username.padEnd(6)} password ${(employee.password ?? '(not known: delete the data folder to start over)').padEnd(16)} ${employee.note}`,
      );
      if (employee.totp) {
        line(`         TOTP secret ${employee.totp.secret}`);
        line(`         ${employee.totp.uri}`);
      }
    }
    line();
    line('Try the scenario (about two minutes):');
    line(`  1. Open ${appUrl}, choose "Sign in" and sign in as alice with her password.`);
    line('  2. Your profile says how you signed in: password only. Open "Salary".');
    line('  3. The salary page needs a second factor and alice has none yet, so the provider offers to');
    line('     add a phone. Open the link under the QR code in a new tab (that tab is the authenticator');
    line('     app) or scan the code, and press "Add this device".');
    line('  4. Back in the sign-in tab a two-digit number appears; pick the same number in the');
    line('     authenticator. Save the recovery codes, continue: the salary page opens.');
    line('  Then try bob (TOTP), carol (no records), or "Deny" in the authenticator.');
    line();
    line(
      `The seed's Action "${tenant.action.name}" runs after every login (version ${tenant.action.version}, ${tenant.action.enabled ? 'enabled' : 'DISABLED by an operator'}).`,
    );
    line(`Start over: stop (Ctrl+C), delete ${options.dataDir}, npm start. No demo: STEPUP_DEMO=false.`);
  } else if (!options.clientRegistered) {
    line();
    line(
      `No client "${options.clientId}" is registered, so signing in to the salary app will fail. Register it:`,
    );
    line(`  npx stepup-idp client add ${options.clientId} --redirect-uri ${appUrl}/auth/callback \\`);
    line(`      --post-logout-redirect-uri ${appUrl}/ --id-token-alg HS256 --name Salary`);
    line(
      "then restart with the client_secret it prints once: SALARY_CLIENT_SECRET='<client_secret>' STEPUP_DEMO=false npm start",
    );
  }
  print(RULE);
  print('');
}
