#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx's loader, so there is no build step to remember.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
const code = await main(process.argv.slice(2));
if (code >= 0) process.exitCode = code;
