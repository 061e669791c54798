import { runAuthenticatorCli } from './run-authenticator-cli.ts';

process.exitCode = await runAuthenticatorCli(
  process.argv.slice(2),
  { out: (line) => console.log(line), env: process.env },
  (line) => console.error(line),
);
