import { SynthError, synth } from './fast-synth';

/**
 * `npm run synth [-- --output <dir>]`: the cdktf app run directly, writing what `cdktf synth` writes
 * (stacks/fast-synth.ts). Other `cdktf synth` flags (--hcl, …) are the CLI's: `npx cdktf synth`.
 */
function main(argv: readonly string[]): number {
  let outdir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if ((arg === '--output' || arg === '-o') && argv[i + 1] !== undefined) outdir = argv[++i];
    else if (arg.startsWith('--output=')) outdir = arg.slice('--output='.length);
    else {
      process.stderr.write(
        `synth: unknown argument ${arg}: npm run synth takes only --output <dir>; for the others use npx cdktf synth ${arg}\n`,
      );
      return 2;
    }
  }
  try {
    const result = synth(process.cwd(), { outdir });
    for (const line of result.annotations) process.stdout.write(`${line}\n`);
    process.stdout.write(`Generated Terraform code for the stacks: ${result.stacks.join(', ')}\n`);
    return 0;
  } catch (err) {
    if (!(err instanceof SynthError)) throw err;
    process.stderr.write(`synth: ${err.message}\n`);
    return 1;
  }
}

process.exitCode = main(process.argv.slice(2));
