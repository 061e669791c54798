#!/usr/bin/env node
// The terminal authenticator for push with number matching; runs from the TypeScript sources like stepup-idp.
import { register } from 'tsx/esm/api';

register();
await import('../src/authenticator/cli/main.ts');
