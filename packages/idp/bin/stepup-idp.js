#!/usr/bin/env node
// The provider's command line, from the compiled package (`npm run build` writes dist/).
await import('../dist/cli/main.js');
