// A worker thread does not inherit the tsx loader its parent registered: register it, then run the
// TypeScript body of one start that loads the keyring (load-keyring-worker-body.ts).
import { register } from 'tsx/esm/api';

register();
await import('./load-keyring-worker-body.ts');
