#!/usr/bin/env node
// The `chaos` command of package.json's `bin` (`npx chaos …`): loads tsx from beside this file, so
// the TypeScript entry runs from any working directory, without npm's banner on stdout.
import 'tsx';

await import('./bin.ts');
