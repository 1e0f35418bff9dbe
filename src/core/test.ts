/**
 * The description of one test run: everything needed to run it again. Saved as test.json in the
 * run directory; `faultline test --replay <run-dir>` style replays read it back.
 */

export interface TestOptions {
  /** Names the results folder: results/<name>/<timestamp>/. */
  name: string;
  /** The system under test, e.g. "reference:raft", "etcd", "inprocess:atom". */
  db: string;
  workload: string;
  /** Nemesis package names; empty for no faults. */
  nemesis: string[];
  /** Seconds between fault starts. */
  nemesisIntervalS: number;
  /** "local", "ssh", "docker" or "none" (in-process stores). */
  provider: string;
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
  /** Bug flags for reference stores. */
  bug: string[];
  /** Where run directories go. */
  resultsDir: string;
  /** For the ssh provider: the inventory file listing the hosts. */
  inventory?: string;
  /** A schedule.json whose faults are replayed instead of generated ones. */
  replaySchedule?: string;
  /** Per-checker budget in seconds. */
  checkerTimeS: number;
  /** Extra workload / DB options given as --opt key=value. */
  options: Record<string, string>;
}
