/**
 * A fault kind of Sentinel's own: one sentinel forces a failover at once (SENTINEL FAILOVER),
 * with nothing wrong in the network. The old primary is demoted while clients may still be
 * writing to it.
 *
 *   npx faultline test --db ./redis.ts --nemesis ./failover.ts --nodes 3
 */
import { defineNemesis } from 'faultline';
import { ReplyError } from 'ioredis';
import { MASTER_NAME, SENTINEL_PORT, connect, message } from './client.ts';

export default defineNemesis({
  name: 'failover',
  description: 'a sentinel forces a failover (SENTINEL FAILOVER); nothing to heal',
  color: '#C7A0E9',
  create: ({ test }) => ({
    // The k-th fault: which node's sentinel is asked, drawn from the run's seed.
    start: (rng) => ({ f: 'start-failover', value: { via: test.nodes[rng.int(test.nodes.length)] } }),
    nemesis: {
      name: 'failover',
      fs: ['start-failover', 'stop-failover'],
      async invoke(ctx, op) {
        if (op.f === 'stop-failover') return { type: 'ok', value: null }; // a failover leaves nothing to heal
        const { via } = op.value as { via: string };
        const node = ctx.cluster.nodes.find((n) => n.name === via);
        if (!node) return { type: 'fail', error: `no node ${via}` };
        let sentinel;
        try {
          sentinel = await connect(node.address, SENTINEL_PORT);
        } catch (e) {
          return { type: 'fail', error: message(e) }; // nothing was asked
        }
        try {
          await sentinel.call('SENTINEL', 'FAILOVER', MASTER_NAME);
          return { type: 'ok', value: { via } };
        } catch (e) {
          // An error answer (INPROG: a failover is under way; NOGOODSLAVE) means it refused.
          return { type: e instanceof ReplyError ? 'fail' : 'info', error: message(e) };
        } finally {
          sentinel.disconnect();
        }
      },
    },
  }),
});
