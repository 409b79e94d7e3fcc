#!/usr/bin/env node
// The storepulse command. TypeScript sources run through tsx's loader, so `npx storepulse` works
// right after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
