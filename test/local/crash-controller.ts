// A controller that brings up a local cluster, leaves it full of state (daemons, a double-forked
// orphan, a frozen node, a stopped process, a partition, a running delay helper) and then waits
// to be SIGKILLed by test/local/cleanup.test.ts.
// Usage: node --import tsx crash-controller.ts <prefix> <subnet>
import { localProvider } from '../../src/providers/local/provider.ts';
import { PROBE, PORT } from './helpers.ts';

const [prefix = 'ficr', subnet = '10.221.14.0/24'] = process.argv.slice(2);
const workDir = `/tmp/faultline-${prefix}`;
const cluster = await localProvider({ prefix, subnet, nodes: 3, workDir }).up();
for (const n of cluster.nodes) {
  await cluster.remote(n.name).spawnDaemon({ argv: [process.execPath, PROBE, 'serve', n.address, String(PORT)], logFile: `${workDir}/logs/${n.name}.log` });
}
await cluster.remote('n1').spawnDaemon({ argv: ['sh', '-c', '(sleep 1000 &) ; sleep 1000'], logFile: `${workDir}/logs/orphan.log` });
const stopped = await cluster.remote('n3').spawnDaemon({ argv: ['sleep', '1000'], logFile: `${workDir}/logs/stopped.log` });
await cluster.remote('n3').signal(stopped, 'SIGSTOP');
await cluster.nodeControl!.freeze('n2');
await cluster.net!.partition({ n1: ['n3'], n3: ['n1'] });
await cluster.net!.packet({ links: [{ from: 'n1', to: 'n2' }], delayMs: 50 });
console.log('ready');
setInterval(() => {}, 1 << 30);
