/**
 * `--db process`: any node program that speaks the reference stores' HTTP/JSON protocol
 * (docs/node-protocol.md), started from a command template:
 *
 *   faultline test --db process --opt process.cmd='./my-node --id {node} --listen {listen} --peers {peers} --data {data-dir}'
 */
import { isAbsolute, resolve } from 'node:path';
import { UsageError } from '../../core/errors.ts';
import { opt } from '../../options/schema.ts';
import { defineDb } from '../../plugins/define.ts';
import { splitWords } from './words.ts';

const WORKLOADS = ['register', 'list-append', 'rw-register'] as const;

export const processDb = defineDb({
  name: 'process',
  description: 'any node program speaking the reference stores\' HTTP/JSON protocol (docs/node-protocol.md), one process per node from --opt process.cmd',
  workloads: WORKLOADS,
  expect: 'whatever the program promises',
  options: {
    cmd: opt.string({ doc: 'the node command; placeholders {node} {host} {port} {listen} {peers} {dir} {data-dir}', shape: 'a command line' }),
    port: opt.integer({ doc: 'the port every node listens on', default: 8080, min: 1, max: 65535 }),
    workloads: opt.list({ doc: 'the workloads the program serves', values: WORKLOADS, default: WORKLOADS }),
    'fake-clock': opt.boolean({ doc: 'true when the program honours libfaketime (C, Node, Python, JVM do; Go does not): allows --nemesis clock', default: false }),
    'ready-timeout': opt.number({ doc: 'seconds setup waits for each node to name a leader in GET /status', default: 20, min: 1 }),
  },
  async create({ options, test }) {
    if (options.cmd === undefined) throw new UsageError("--db process needs the node command: --opt process.cmd='./my-node --id {node} --listen {listen} --peers {peers}'");
    const argv = splitWords(options.cmd);
    // A relative program path means the controller's working directory, wherever the node runs it.
    const [program, ...args] = argv;
    const absolute = program !== undefined && (program.startsWith('./') || program.startsWith('../')) && !isAbsolute(program) ? resolve(program) : program;
    const { ProcessDb } = await import('./db.ts');
    const db = new ProcessDb({
      name: 'process',
      argv: [absolute ?? '', ...args],
      port: options.port,
      honoursFakeClock: options['fake-clock'],
      opTimeoutMs: test.opTimeoutMs,
      readyTimeoutMs: options['ready-timeout'] * 1000,
      cwd: process.cwd(),
      workloads: options.workloads,
    });
    return { db, client: (w) => db.client(w) };
  },
});
