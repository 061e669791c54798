// The worker thread of the Actions sandbox when the provider runs from its TypeScript sources (tests,
// npm start in a checkout): tsx compiles them, and a worker does not inherit a loader that its parent
// registered with the API. The built package starts sandbox-worker-main.js directly.
import { register } from 'tsx/esm/api';

register();
await import('./sandbox-worker-main.ts');
