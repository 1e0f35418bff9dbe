/** Reads /proc on the controller: whether a pid is alive, its environment and run marker. */
import { readFile } from 'node:fs/promises';
import { RUN_VAR } from './marker.ts';

/** True while the process exists and is not a zombie (orphans may wait ~1.6 s for init here). */
export async function isLive(pid: number): Promise<boolean> {
  try {
    const st = await readFile(`/proc/${pid}/stat`, 'utf8');
    const state = st.charAt(st.lastIndexOf(')') + 2);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** The process state letter (R, S, D, T, Z, ...), or undefined when it is gone. */
export async function processState(pid: number): Promise<string | undefined> {
  try {
    const st = await readFile(`/proc/${pid}/stat`, 'utf8');
    return st.charAt(st.lastIndexOf(')') + 2);
  } catch {
    return undefined;
  }
}

/** Polls until every pid is gone or a zombie; returns the ones still alive at the deadline. */
export async function waitGone(pids: readonly number[], timeoutMs: number): Promise<number[]> {
  const end = Date.now() + timeoutMs;
  let left = [...pids];
  for (;;) {
    const still: number[] = [];
    for (const p of left) if (await isLive(p)) still.push(p);
    left = still;
    if (left.length === 0 || Date.now() >= end) return left;
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * The environment of a live process, or undefined when it is gone (or a zombie). While a
 * process is in the middle of execve its environ reads empty for a moment: that is retried.
 */
export async function processEnviron(pid: number): Promise<Map<string, string> | undefined> {
  const deadline = Date.now() + 2000;
  for (;;) {
    let raw: Buffer;
    try {
      raw = await readFile(`/proc/${pid}/environ`);
    } catch {
      return undefined;
    }
    if (raw.length > 0) return parseEnviron(raw);
    if (Date.now() > deadline || !(await isLive(pid))) return undefined;
    await new Promise((r) => setTimeout(r, 5));
  }
}

function parseEnviron(raw: Buffer): Map<string, string> {
  const env = new Map<string, string>();
  for (const entry of raw.toString('utf8').split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) env.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return env;
}

/** The run prefix a process is marked with, if any. */
export async function processRun(pid: number): Promise<string | undefined> {
  return (await processEnviron(pid))?.get(RUN_VAR);
}
