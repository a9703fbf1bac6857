import { main } from './cli';
import { processIo } from './io';

// The entry point: the only place that sets the process's exit code.
void main(process.argv.slice(2), processIo()).then((code) => {
  process.exitCode = code;
});
