/**
 * Node invariants the simulator can check on any store whose status reports `role` and `term`
 * (see NodeLogic.invariants in runtime.ts).
 */
import type { NodeInvariant } from './runtime.ts';

/**
 * Raft's election safety: at most one node is ever leader in a given term, over the whole run
 * (crashes and restarts included).
 */
export function oneLeaderPerTerm(): NodeInvariant {
  const leaders = new Map<number, string>();
  return {
    name: 'one-leader-per-term',
    observe(node, status) {
      if (status.role !== 'leader') return undefined;
      const known = leaders.get(status.term);
      if (known === undefined) leaders.set(status.term, node);
      else if (known !== node) return `${known} and ${node} were both leader in term ${status.term}`;
      return undefined;
    },
  };
}
