// The worker thread of the Actions sandbox. Like bin/stepup-idp.js, it runs the TypeScript sources
// through tsx, which a worker does not inherit from a parent that registered it with the API.
import { register } from 'tsx/esm/api';

register();
await import('./sandbox-worker-main.ts');
