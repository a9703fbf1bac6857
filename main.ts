import { InvalidConfigError, loadConfig } from './stacks/config';
import { buildApp } from './stacks/app';

/**
 * The cdktf app: one PlatformStack per environment in the config (PLATFORM_CONFIG selects the file).
 * PLATFORM_POLICY=report synthesizes despite policy violations (the plan review reports them).
 */
try {
  buildApp(loadConfig(), { skipPolicy: process.env.PLATFORM_POLICY === 'report' }).app.synth();
} catch (err) {
  if (!(err instanceof InvalidConfigError)) throw err;
  process.stderr.write(`invalid platform config:\n${err.message}\n`);
  process.exit(2);
}
