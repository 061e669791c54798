import { parentPort, workerData } from 'node:worker_threads';
import { loadSecretKeyring } from '../load-secret-keyring.ts';

// One of many starts at once: every worker waits at the barrier, then loads the keyring of one data folder.
const { dataDir, barrier } = workerData as { dataDir: string; barrier: Int32Array };
Atomics.add(barrier, 0, 1);
Atomics.wait(barrier, 1, 0);
const { keyring, created } = loadSecretKeyring({ dataDir });
parentPort?.postMessage({ keyIds: keyring.keyIds, created });
