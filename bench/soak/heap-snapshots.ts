import { mkdirSync, readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** Node options that let a node write a heap snapshot into `folder` on SIGUSR2. */
export function heapSnapshotOptions(folder: string): { NODE_OPTIONS: string } {
  mkdirSync(folder, { recursive: true });
  return { NODE_OPTIONS: `--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${folder}` };
}

/**
 * Has each node write a heap snapshot into `folder` and resolves once they are written: the node
 * writes on its main thread, so it answers a request again only when its snapshot is complete.
 */
export async function takeHeapSnapshots(nodes: Array<{ pid: number; url: string }>, folder: string) {
  const count = () => readdirSync(folder).filter((name) => name.endsWith('.heapsnapshot')).length;
  const before = count();
  for (const node of nodes) process.kill(node.pid, 'SIGUSR2');
  while (count() < before + nodes.length) await sleep(100);
  await Promise.all(nodes.map((node) => fetch(`${node.url}/.well-known/openid-configuration`)));
}
