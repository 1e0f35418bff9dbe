/**
 * Fault windows: the spans of a history during which a fault was active, derived from the nemesis
 * ops. A window opens at the completion of a start op (ok or info: an info start may have taken
 * effect; a failed start did not) and closes at the completion of the matching stop op (ok or
 * info; a failed stop leaves the fault in place), or at the end of the history. Starting a kind
 * that is already active keeps the one open window.
 *
 * Styles say which `f`s start and stop which kind. Without styles, the convention
 * `start-<kind>` / `stop-<kind>` applies to every nemesis f of that form. FaultWindowTracker
 * finds them op by op.
 */
import type { FaultStyle } from '../src/core/nemesis.ts';
import { isNemesisOp, type History, type Op } from '../src/core/op.ts';

export interface FaultWindow {
  /** The fault kind: the style's name, or `<kind>` of `start-<kind>`. */
  kind: string;
  color: string;
  /** Nanoseconds since the test started: completion of the start op. */
  start: number;
  /** Completion of the stop op, or the time of the last op when the fault was never stopped. */
  end: number;
  /** History index of the start op's completion. */
  startIndex: number;
  /** History index of the stop op's completion; null when the window ran to the end. */
  endIndex: number | null;
  /** The start op's value (targets, grudge, ...). */
  value: unknown;
}

/** Colours of the usual fault kinds (as Jepsen draws them); other kinds are grey. */
const DEFAULT_COLORS: Readonly<Record<string, string>> = {
  partition: '#E9DCA0',
  packet: '#D1E8A0',
  clock: '#A0E9E3',
  kill: '#E9A4A0',
  pause: '#A0B1E9',
};

interface Role {
  kind: string;
  color: string;
  starts: boolean;
}

function conventionRole(f: string): Role | undefined {
  const m = /^(start|stop)-(.+)$/.exec(f);
  if (!m) return undefined;
  const kind = m[2]!;
  return { kind, color: DEFAULT_COLORS[kind] ?? '#CCCCCC', starts: m[1] === 'start' };
}

function styleRoles(styles: readonly FaultStyle[]): Map<string, Role> {
  const roles = new Map<string, Role>();
  for (const s of styles) {
    for (const f of s.start) roles.set(f, { kind: s.name, color: s.color, starts: true });
    for (const f of s.stop) roles.set(f, { kind: s.name, color: s.color, starts: false });
  }
  return roles;
}

/**
 * Fault windows found op by op: `feed` each op in history order, `windows` lists those started
 * so far (an open one's `end` is the time of the last op fed), `open(kind)` says whether a kind's
 * window is open. faultWindows runs it over a whole history.
 */
export class FaultWindowTracker {
  readonly windows: FaultWindow[] = [];
  private readonly roleOf: (f: string) => Role | undefined;
  private readonly openWindows = new Map<string, FaultWindow>();
  private readonly openInvokes = new Map<string, unknown>();

  constructor(styles?: readonly FaultStyle[]) {
    const roles = styles ? styleRoles(styles) : undefined;
    this.roleOf = (f) => (roles ? roles.get(f) : conventionRole(f));
  }

  /** Whether `w` is still open (its end moves with the ops fed). */
  isOpen(w: FaultWindow): boolean {
    return this.openWindows.get(w.kind) === w;
  }

  feed(op: Op): void {
    for (const w of this.openWindows.values()) w.end = op.time;
    if (!isNemesisOp(op)) return;
    const role = this.roleOf(op.f);
    if (!role) return;
    if (op.type === 'invoke') {
      this.openInvokes.set(op.f, op.value);
      return;
    }
    const invokedValue = this.openInvokes.get(op.f);
    this.openInvokes.delete(op.f);
    if (op.type === 'fail') return;
    if (role.starts) {
      if (this.openWindows.has(role.kind)) return;
      const w: FaultWindow = {
        kind: role.kind,
        color: role.color,
        start: op.time,
        end: op.time,
        startIndex: op.index,
        endIndex: null,
        value: invokedValue ?? op.value,
      };
      this.openWindows.set(role.kind, w);
      this.windows.push(w);
    } else {
      const w = this.openWindows.get(role.kind);
      if (!w) return;
      w.end = op.time;
      w.endIndex = op.index;
      this.openWindows.delete(role.kind);
    }
  }
}

/** The fault windows of a history, ordered by start. */
export function faultWindows(history: History, styles?: readonly FaultStyle[]): FaultWindow[] {
  const tracker = new FaultWindowTracker(styles);
  for (const op of history) tracker.feed(op);
  return tracker.windows;
}
