/**
 * Turns a found cycle into evidence: Elle-shaped data (`cycle` ops, `steps`), a plain-language
 * explanation of every edge ("T1 < T2, because T2 observed T1's append of 3 to key 5"), and the
 * cycle as a small graph (nodes = txns with op indices, edges with type and explanation) that a
 * report can draw.
 */
import type { Op } from '../../src/core/op.ts';
import type { Analysis, Step } from './analysis.ts';
import { PROCESS, REALTIME, type Csr } from './graph.ts';
import { txnOp } from './txns.ts';

export interface CycleGraph {
  nodes: { id: string; index: number; invokeIndex: number | null; process: unknown; type: string; value: unknown }[];
  edges: { from: string; to: string; type: Step['type']; explanation: string }[];
}

export interface CycleCase {
  type: string;
  /** The completion ops around the cycle, the first repeated at the end (as Elle prints it). */
  cycle: Op[];
  steps: Step[];
  explanation: string;
  graph: CycleGraph;
}

function edgeBits(g: Csr, a: number, b: number): number {
  for (let e = g.off[a]!; e < g.off[a + 1]!; e++) if (g.dst[e] === b) return g.rel[e]!;
  return 0;
}

/** Why b follows a: the first data relation (in the workload's order) that holds, else process/realtime. */
export function explainStep(an: Analysis, g: Csr, a: number, b: number): Step {
  const bits = edgeBits(g, a, b);
  for (const rel of an.dataPriority) {
    if (!(bits & rel)) continue;
    const step = an.explain(a, b, rel);
    if (step) return step;
  }
  const tt = an.tt;
  if (bits & PROCESS) return { type: 'process', process: txnOp(tt, a).process };
  if (bits & REALTIME) {
    const inv = tt.invocation[b]!;
    return { type: 'realtime', "a'": txnOp(tt, a), b: tt.history[inv >= 0 ? inv : tt.completion[b]!] };
  }
  throw new Error(`no edge from txn ${a} to txn ${b}`);
}

function renderStep(an: Analysis, step: Step, a: string, b: string): string {
  if (step.type === 'process') return `process ${String(step.process)} executed ${a} before ${b}`;
  if (step.type === 'realtime') {
    const ac = step["a'"] as Op;
    const bi = step.b as Op;
    let gap = '';
    if (typeof ac.time === 'number' && typeof bi.time === 'number' && ac.time >= 0 && bi.time >= 0) {
      const dt = bi.time - ac.time;
      gap = dt > 0 ? ` ${(dt / 1e9).toFixed(3)} seconds` : ' just';
    }
    return `${a} completed at index ${ac.index},${gap} before the invocation of ${b}, at index ${bi.index}`;
  }
  return an.render(step, a, b);
}

export function describeCycle(an: Analysis, g: Csr, type: string, txns: readonly number[]): CycleCase {
  const tt = an.tt;
  const names = txns.slice(0, -1).map((_, i) => `T${i + 1}`);
  const name = (i: number): string => names[i % names.length]!;
  const steps: Step[] = [];
  const reasons: string[] = [];
  const graph: CycleGraph = { nodes: [], edges: [] };
  for (let i = 0; i + 1 < txns.length; i++) {
    const step = explainStep(an, g, txns[i]!, txns[i + 1]!);
    steps.push(step);
    const reason = renderStep(an, step, name(i), name(i + 1));
    reasons.push(reason);
    graph.edges.push({ from: name(i), to: name(i + 1), type: step.type, explanation: reason });
  }
  const ops = txns.map((t) => txnOp(tt, t));
  names.forEach((id, i) => {
    const t = txns[i]!;
    const op = ops[i]!;
    const inv = tt.invocation[t]!;
    graph.nodes.push({ id, index: op.index, invokeIndex: inv >= 0 ? tt.history[inv]!.index : null, process: op.process, type: op.type, value: op.value });
  });
  const lets = names.map((id, i) => `  ${id} = ${JSON.stringify(ops[i])}`).join('\n');
  const thens = reasons
    .map((r, i) => {
      const line = `${name(i)} < ${name(i + 1)}, because ${r}`;
      return i === reasons.length - 1 ? `  - However, ${line}: a contradiction!` : `  - ${line}.\n`;
    })
    .join('');
  return { type, cycle: ops, steps, explanation: `Let:\n${lets}\n\nThen:\n${thens}`, graph };
}
