/**
 * A test, two ways:
 * - `Test`: the runnable value, parts resolved (a DB adapter, a client factory, a workload, a
 *   nemesis package, checkers, a provider). A library user builds one in code and hands it to
 *   `run()`; the CLI builds one from names.
 * - `TestSpec`: the same test as names and option text, as the command line gives it. Saved as
 *   test.json in the run directory; it is what a replay runs again.
 */
import type { Checker } from './checker.ts';
import type { ClientFactory } from './client.ts';
import type { TestInfo } from './context.ts';
import type { DB } from './db.ts';
import type { NemesisPackage } from './nemesis.ts';
import type { Provider } from './provider.ts';
import type { Workload } from './workload.ts';

/** The test as names, option text and numbers: what `faultline test` flags say. */
export interface TestSpec {
  /** Names the results folder: results/<name>/<timestamp>/. */
  name: string;
  /** The system under test: a registered name ("reference:raft", "etcd") or a module path. */
  db: string;
  /** A registered workload name or a module path. */
  workload: string;
  /** Nemesis names or module paths; empty for no faults. */
  nemesis: string[];
  /** Extra checkers (names or module paths) on top of the workload's. */
  checkers?: string[];
  /** Seconds between fault starts. */
  nemesisIntervalS: number;
  /** A provider name ("local", "ssh", "docker", "none") or a module path; default: the db's first, else local. */
  provider?: string;
  nodes: string[];
  concurrency: number;
  /** Length of the main phase in seconds. */
  timeLimitS: number;
  /** Target client op rate in ops/s across all workers (0 = as fast as possible). */
  rate: number;
  opTimeoutMs: number;
  /** Seconds to wait after healing before the final reads. */
  recoveryS: number;
  seed: number;
  /** Bug flags of the DB. */
  bug: string[];
  /** Where run directories go. */
  resultsDir: string;
  /** A schedule.json whose faults are replayed instead of generated ones. */
  replaySchedule?: string;
  /** Per-checker budget in seconds. */
  checkerTimeS: number;
  /** Options under their canonical keys (`--opt etcd.serializable-reads=true`), as text. */
  options: Record<string, string>;
  /** Config files whose parts the names refer to. */
  configs?: string[];
  /** A topology profile: a built-in name ("three-regions") or a JSON file (`faultline list` shows the names). */
  topology?: string;
}

/** A runnable test: what `run()` takes. Fields with defaults may be left out (see `run`). */
export interface Test extends TestInfo {
  /** Brings the nodes up and down. */
  readonly provider: Provider;
  /** Sets each node up; null for a store inside the controller. */
  readonly db: DB | null;
  /** Opens a client per worker. */
  readonly client: ClientFactory;
  /** The ops, the final reads and the workload's checker. */
  readonly workload: Workload;
  /** Faults and their schedule; null for none. */
  readonly nemesis: NemesisPackage | null;
  /** Checkers run besides the workload's own and the standard ones (stats, perf, errors). */
  readonly checkers: readonly Checker[];
  /** Target client op rate across all workers, ops/s (0: as fast as they go). */
  readonly rate: number;
  /** Seconds to wait after healing before the final reads. */
  readonly recoveryS: number;
  /** Where run directories go: <resultsDir>/<name>/<timestamp>/. */
  readonly resultsDir: string;
  /** Per-checker budget in seconds. */
  readonly checkerTimeS: number;
  /** The same test as names, when it was built from names (saved as test.json; replayable). */
  readonly spec?: TestSpec;
  /** The command line that replays it, when there is one. */
  readonly replay?: readonly string[];
  /** Versions of the pieces involved, for test.json. */
  readonly versions?: Readonly<Record<string, string>>;
  /**
   * Debian packages the machines need and where they go (the controller itself, or every node
   * through its Remote), installed and said aloud before set-up; `allowed: false` refuses with
   * the apt-get line instead.
   */
  readonly install?: { readonly packages: readonly string[]; readonly on: 'controller' | 'nodes'; readonly allowed: boolean };
}
