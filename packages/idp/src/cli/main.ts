import { runCli } from './run-cli.ts';

process.exitCode = await runCli(
  process.argv.slice(2),
  { out: (line) => console.log(line), env: process.env },
  (line) => console.error(line),
);
