#!/usr/bin/env node
// The storepulse command. TypeScript sources run through tsx's loader, so `npx storepulse` works
// right after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
// A reader that stops early (`| head`) closes the pipe: that ends the command quietly, as in Unix tools.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
