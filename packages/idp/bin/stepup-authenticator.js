#!/usr/bin/env node
// The terminal authenticator for push with number matching, from the compiled package.
await import('../dist/authenticator/cli/main.js');
