import { runRehearsal } from './rehearsal-cli';

/**
 * Brings the rehearsal up once before any e2e file runs. When it cannot come up (a port held by
 * another checkout's rehearsal, a missing engine), every test would fail one by one for the same
 * reason: instead the run stops here, with the rehearsal's own one-line reason and its exit code.
 * The files then find it warm (their own `up` takes seconds) and each takes it down when done.
 */
export default async function globalSetup(): Promise<void> {
  const result = await runRehearsal(['up'], { REHEARSAL_DOMAIN: '', REHEARSAL_ACME_DIRECTORY: '', REHEARSAL_ACME_CA: '' });
  if (result.code === 0) return;
  const reason = result.output
    .split('\n')
    .filter((line) => line.startsWith('rehearsal: '))
    .pop();
  // Whatever the failed `up` started (its dockerd) goes, as after any e2e run.
  await runRehearsal(['down']);
  process.stderr.write(
    `\ntest:e2e: the rehearsal could not come up, so no e2e test can run: ${reason?.slice('rehearsal: '.length) ?? `rehearsal up exited ${String(result.code)}`}\n`,
  );
  process.exit(result.code === 2 ? 2 : 1);
}
