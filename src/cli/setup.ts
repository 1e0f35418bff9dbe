/**
 * `faultline setup [capabilities...]`: installs what Faultline needs on this machine, from the
 * one list in src/setup/capabilities.ts. `--dry-run` prints the commands instead; `--list` shows
 * every capability with what is installed.
 */
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('setup')
    .description('install the Debian packages (and for docker: start the engine, build the images) that capabilities need')
    .argument('[capabilities...]', 'capabilities or groups (tests, all); default: local, clock and delay, what `faultline test` uses by default')
    .option('--dry-run', 'print the commands that would run, change nothing')
    .option('--list', 'list the capabilities, their packages and what is installed')
    .addHelpText('after', `
Examples:
  faultline setup                  # what the default \`faultline test\` needs (local provider, clock, delay)
  faultline setup etcd docker      # etcd from Debian; the Docker engine and node images
  faultline setup tests --dry-run  # the apt-get line for everything the test suite uses`)
    .action(async (names: string[], flags: { dryRun?: boolean; list?: boolean }) => {
      const { describeCapabilities, planSetup, resolveCapabilities, setUp } = await import('../setup/setup.ts');
      if (flags.list) {
        process.stdout.write((await describeCapabilities()).join('\n') + '\n');
        return;
      }
      const capabilities = resolveCapabilities(names.length ? names : ['local', 'clock', 'delay']);
      if (flags.dryRun) {
        const plan = await planSetup(capabilities);
        process.stdout.write(plan.steps.length ? plan.steps.join('\n') + '\n' : `nothing to do: ${capabilities.join(', ')} already set up\n`);
        return;
      }
      await setUp(capabilities, { say: (line) => process.stderr.write(`${line}\n`) });
      process.stderr.write(`set up: ${capabilities.join(', ')}\n`);
    });
}
