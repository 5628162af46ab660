#!/usr/bin/env node
// The `vigil` command. Vigil runs its TypeScript sources through tsx (no build step for the server).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
await main(process.argv);
