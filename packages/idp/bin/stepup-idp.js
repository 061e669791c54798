#!/usr/bin/env node
// The package runs from its TypeScript sources; tsx compiles them on load (Node 20 has no type stripping).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
