/**
 * The test suite's global set-up: what `npm test` needs is installed by the project's own code,
 * from the one list (src/setup/capabilities.ts), and said aloud; the Docker engine is started in
 * its firewall-safe mode with the node images built (and stopped again at the end when this
 * set-up started it); and the compiled CLI in dist/ is rebuilt, so the tests that run the
 * `faultline` command run what ships. Without root nothing is installed: the suites that need
 * root skip, saying so, and the exact command to install is printed. FAULTLINE_SKIP_SETUP=1 skips
 * all of it, for quick runs of single unit-test files.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { CAPABILITY_NAMES, aptLine, packagesOf } from '../src/setup/capabilities.ts';
import { missingPackages, CONTROLLER } from '../src/setup/install.ts';
import { setUp } from '../src/setup/setup.ts';
import { packageFile, PACKAGE_ROOT } from '../src/code-paths.ts';

const say = (line: string): void => {
  process.stderr.write(`[test set-up] ${line}\n`);
};

function engineAnswers(): boolean {
  return spawnSync('docker', ['info'], { stdio: 'ignore' }).status === 0;
}

export default async function globalSetup(): Promise<() => void> {
  if (process.env['FAULTLINE_SKIP_SETUP'] === '1') return () => {};
  const root = process.platform === 'linux' && process.getuid?.() === 0;
  let startedEngine = false;
  if (root) {
    const engineBefore = engineAnswers();
    await setUp(CAPABILITY_NAMES, { say });
    startedEngine = !engineBefore && engineAnswers();
  } else {
    const missing = await missingPackages(CONTROLLER, packagesOf(CAPABILITY_NAMES)).catch(() => []);
    if (missing.length) say(`not root: suites that need root or these packages skip; install them with \`sudo ${aptLine(missing)}\``);
  }
  say('building dist/ (npm run build)');
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: PACKAGE_ROOT, stdio: 'inherit' });
  return () => {
    if (startedEngine) execFileSync(packageFile('docker/ci-down.sh'), { stdio: 'inherit' });
  };
}
