import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

/**
 * How a node runs: from its TypeScript sources through tsx (the tests), or from the built package's
 * command (`npm run build` first), as a deployment runs it, with no development loader in its memory
 * (the soak bench reads the nodes' memory). The pack-and-install test runs the installed one.
 */
export type NodeCommand = 'sources' | 'build';

const STEPUP_IDP: Record<NodeCommand, string[]> = {
  sources: [
    '--conditions=stepup-source',
    '--import',
    'tsx',
    new URL('../../packages/idp/src/cli/main.ts', import.meta.url).pathname,
  ],
  build: [new URL('../../packages/idp/bin/stepup-idp.js', import.meta.url).pathname],
};

/** One provider node: `stepup-idp start` in a child process, as a deployment runs it. */
export interface ProviderNode {
  /** Where this node listens, bypassing any proxy. */
  url: string;
  port: number;
  /** The node's process id, for reading its memory from outside (the soak bench). */
  pid: number;
  /** What the node printed, for the failure message of a test. */
  output(): string;
  /** Sends the signal and resolves once the process has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** A free loopback port: bound by the OS, then released for the node to take. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts a node with the given environment (issuer, database, Redis …) on a free port and resolves
 * once it listens; rejects with the node's output when it exits first.
 */
export async function startProviderNode(
  env: Record<string, string>,
  command: NodeCommand = 'sources',
): Promise<ProviderNode> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [...STEPUP_IDP[command], 'start'], {
    env: { ...process.env, ...env, IDP_PORT: String(port), IDP_HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = once(child, 'exit');
  await new Promise<void>((resolve, reject) => {
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Stepup provider listening')) resolve();
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    exited.then(([code, signal]) =>
      reject(new Error(`provider node exited (${code ?? signal}) before listening:\n${output}`)),
    );
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid ?? 0,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      await exited;
    },
  };
}
