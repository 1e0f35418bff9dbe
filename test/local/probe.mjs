// Network probe for the local-cluster tests, run with plain `node` inside node namespaces.
//   serve <addr> <port>          TCP: answers each connection with one JSON line
//                                {now, udp: {<source address>: datagrams received},
//                                oneway: {<source address>: [ms, ...]}} and closes;
//                                UDP on the same port: counts datagrams per source address, and
//                                for timestamped ones (see oneway) how long they travelled.
//   oneway <addr:port> <count>   sends <count> datagrams 10 ms apart, each carrying the monotonic
//                                clock it left at (namespaces share it: one machine, one clock).
//   tcp <timeoutMs> <addr:port>... prints {"<addr:port>": true|false}: whether a reply arrived in time.
//   udp <addr:port> <count>        sends <count> datagrams, paced in batches of 20 per millisecond.
//   rtt <addr:port> <count>        prints the TCP connect times in ms, one attempt after another.
import dgram from 'node:dgram';
import net from 'node:net';

const [mode, ...args] = process.argv.slice(2);
const split = (hp) => {
  const i = hp.lastIndexOf(':');
  return [hp.slice(0, i), Number(hp.slice(i + 1))];
};

if (mode === 'serve') {
  const [addr, port] = [args[0], Number(args[1])];
  const counts = {};
  const oneway = {};
  const udp = dgram.createSocket('udp4');
  udp.on('message', (m, rinfo) => {
    counts[rinfo.address] = (counts[rinfo.address] ?? 0) + 1;
    const text = m.toString();
    if (text.startsWith('t')) (oneway[rinfo.address] ??= []).push(Number(process.hrtime.bigint() - BigInt(text.slice(1))) / 1e6);
  });
  udp.bind(port, addr);
  net
    .createServer((s) => {
      s.on('error', () => {});
      s.end(JSON.stringify({ now: Date.now(), udp: counts, oneway }) + '\n');
    })
    .listen(port, addr, () => console.log(`serving ${addr}:${port}`));
} else if (mode === 'tcp') {
  const timeout = Number(args[0]);
  const results = await Promise.all(
    args.slice(1).map(
      (hp) =>
        new Promise((resolve) => {
          const [host, port] = split(hp);
          const s = net.connect({ host, port });
          const done = (ok) => {
            clearTimeout(t);
            s.destroy();
            resolve([hp, ok]);
          };
          const t = setTimeout(() => done(false), timeout);
          s.on('data', () => done(true));
          s.on('error', () => done(false));
        }),
    ),
  );
  console.log(JSON.stringify(Object.fromEntries(results)));
} else if (mode === 'udp') {
  const [host, port] = split(args[0]);
  const count = Number(args[1]);
  const s = dgram.createSocket('udp4');
  for (let i = 0; i < count; i++) {
    await new Promise((r) => s.send(Buffer.from(String(i)), port, host, r));
    if (i % 20 === 19) await new Promise((r) => setTimeout(r, 1));
  }
  s.close();
} else if (mode === 'oneway') {
  const [host, port] = split(args[0]);
  const s = dgram.createSocket('udp4');
  for (let i = 0; i < Number(args[1]); i++) {
    await new Promise((r) => s.send(Buffer.from(`t${process.hrtime.bigint()}`), port, host, r));
    await new Promise((r) => setTimeout(r, 10));
  }
  s.close();
} else if (mode === 'rtt') {
  const [host, port] = split(args[0]);
  const times = [];
  for (let i = 0; i < Number(args[1]); i++) {
    const t0 = process.hrtime.bigint();
    await new Promise((resolve, reject) => {
      const s = net.connect({ host, port }, () => {
        s.destroy();
        resolve();
      });
      s.on('error', reject);
    });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  console.log(JSON.stringify(times));
} else {
  console.error(`unknown mode ${mode}`);
  process.exit(2);
}
