/**
 * The capability probe behind `faultline doctor`: checks what this machine (and, given an ssh
 * inventory, each host) offers, in a throwaway network namespace so nothing of the root
 * namespace is touched, and says per fault whether it works, works through a fallback, or is
 * unavailable, with the reason and the apt package that fixes it.
 */
import { access, mkdir, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { sshTarget, type Inventory } from './ssh/inventory.ts';
import { run } from '../control/run.ts';
import { SshRemote } from '../control/ssh.ts';
import { CONTROLLER_HOST, HostBuildFailed, helperOnHost } from '../control/host-build.ts';
import { DELAYER_APT, DELAYER_SPEC } from '../net/delayer.ts';
import { probeFaultFs } from '../disk/probe.ts';
import { findCgroupRoot } from './local/cgroups.ts';
import { LIBFAKETIME, LIBFAKETIME_APT } from './local/clock.ts';
import { CAPABILITIES } from '../setup/capabilities.ts';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  /** The apt package (or action) that fixes a failed check. */
  fix?: string;
}

export type FaultStatus = 'works' | 'fallback' | 'unavailable';

export interface FaultVerdict {
  fault: string;
  status: FaultStatus;
  mechanism: string;
  reason?: string;
  fix?: string;
}

export interface DoctorReport {
  checks: Check[];
  faults: FaultVerdict[];
}

async function ok(argv: string[]): Promise<{ ok: boolean; out: string }> {
  const r = await run(argv, { check: false, timeoutMs: 10_000 }).catch((e: Error) => ({ exitCode: 127, stdout: '', stderr: e.message }));
  return { ok: r.exitCode === 0, out: (r.stdout + r.stderr).trim().split('\n')[0] ?? '' };
}

async function exists(p: string): Promise<boolean> {
  return access(p).then(() => true, () => false);
}

/** Probes namespace-level features inside a throwaway namespace; returns check name -> result. */
async function probeNamespace(): Promise<Map<string, Check>> {
  const ns = `fldoctor${process.pid}`;
  const m = new Map<string, Check>();
  const inNs = (argv: string[]) => ok(['ip', 'netns', 'exec', ns, ...argv]);
  const add = ok(['ip', 'netns', 'add', ns]);
  const created = await add;
  m.set('namespaces', { name: 'namespaces', ok: created.ok, detail: created.ok ? 'ip netns add works' : created.out, fix: 'iproute2' });
  if (!created.ok) return m;
  try {
    await inNs(['ip', 'link', 'set', 'lo', 'up']);
    const bridge = await inNs(['ip', 'link', 'add', 'br0', 'type', 'bridge']);
    const veth = await inNs(['ip', 'link', 'add', 'va', 'type', 'veth', 'peer', 'name', 'vb']);
    m.set('bridge+veth', { name: 'bridge+veth', ok: bridge.ok && veth.ok, detail: bridge.ok && veth.ok ? 'bridge and veth links can be created' : `${bridge.out} ${veth.out}`.trim(), fix: 'a kernel with CONFIG_BRIDGE and CONFIG_VETH' });
    const nft = await inNs(['nft', 'add table bridge fldoctor; add chain bridge fldoctor c { type filter hook forward priority 0; }; add rule bridge fldoctor c numgen random mod 100 < 5 drop']);
    m.set('nft', { name: 'nft', ok: nft.ok, detail: nft.ok ? 'nft bridge tables with numgen work' : nft.out || 'nft missing', fix: 'nftables' });
    const ipt = await inNs(['iptables', '-w', '-A', 'INPUT', '-s', '127.0.0.9', '-m', 'statistic', '--mode', 'random', '--probability', '0.5', '-j', 'DROP']);
    m.set('iptables', { name: 'iptables', ok: ipt.ok, detail: ipt.ok ? 'iptables with the statistic match works' : ipt.out || 'iptables missing', fix: 'iptables' });
    const tee = await inNs(['iptables', '-w', '-t', 'mangle', '-A', 'POSTROUTING', '-d', '127.0.0.9', '-j', 'TEE', '--gateway', '127.0.0.9']);
    m.set('iptables TEE', { name: 'iptables TEE', ok: tee.ok, detail: tee.ok ? 'TEE target works (duplication)' : tee.out, fix: 'iptables, and a kernel with NETFILTER_XT_TARGET_TEE' });
    const nfq = await inNs(['iptables', '-w', '-A', 'INPUT', '-s', '127.0.0.8', '-j', 'NFQUEUE', '--queue-num', '0', '--queue-bypass']);
    m.set('NFQUEUE', { name: 'NFQUEUE', ok: nfq.ok, detail: nfq.ok ? 'NFQUEUE target works (delay helper)' : nfq.out, fix: 'iptables, and a kernel with NETFILTER_XT_TARGET_NFQUEUE' });
    const brnf = (await inNs(['cat', '/proc/sys/net/bridge/bridge-nf-call-iptables'])).out === '1';
    m.set('br_netfilter', { name: 'br_netfilter', ok: brnf, detail: brnf ? 'bridged traffic passes iptables (bridge-nf-call-iptables=1)' : 'bridge-nf-call-iptables is off or missing', fix: 'a kernel with BRIDGE_NETFILTER' });
    const htb = await inNs(['tc', 'qdisc', 'add', 'dev', 'va', 'root', 'handle', '1:', 'htb', 'default', '1']);
    m.set('tc htb', { name: 'tc htb', ok: htb.ok, detail: htb.ok ? 'htb qdisc works (rate limits)' : htb.out || 'tc missing', fix: 'iproute2' });
    const netem = await inNs(['tc', 'qdisc', 'add', 'dev', 'vb', 'root', 'netem', 'delay', '1ms']);
    m.set('tc netem', { name: 'tc netem', ok: netem.ok, detail: netem.ok ? 'netem qdisc present' : `netem missing: ${netem.out}`, fix: 'a kernel with CONFIG_NET_SCH_NETEM (not an apt package)' });
  } finally {
    await ok(['ip', 'netns', 'del', ns]);
  }
  return m;
}

async function probeFreezer(): Promise<Check> {
  const root = await findCgroupRoot();
  if (!root) return { name: 'freezer', ok: false, detail: 'no cgroup2 or v1 freezer mounted: pause falls back to SIGSTOP', fix: 'mount cgroup2 (or the v1 freezer)' };
  const dir = path.join(root.mount, `fldoctor${process.pid}`);
  try {
    await mkdir(dir);
    const file = root.kind === 'cgroup2' ? 'cgroup.freeze' : 'freezer.state';
    const has = await exists(path.join(dir, file));
    return { name: 'freezer', ok: has, detail: has ? `${root.kind} freezer at ${root.mount}` : `${root.mount} has no ${file}`, fix: 'a kernel with CGROUP_FREEZER' };
  } catch (e) {
    return { name: 'freezer', ok: false, detail: `cannot create a cgroup under ${root.mount}: ${(e as Error).message}` };
  } finally {
    await rmdir(dir).catch(() => {});
  }
}

async function probeSsh(inv: Inventory): Promise<Check[]> {
  return Promise.all(
    inv.nodes.map(async (n) => {
      const r = new SshRemote({ ...sshTarget(inv, n, 'fldoctor'), connectTimeoutMs: 5000 });
      try {
        const res = await r.exec(['sh', '-c', 'command -v iptables tc >/dev/null && echo tools || echo no-tools'], { timeoutMs: 10_000 });
        const tools = res.stdout.includes('tools') && !res.stdout.includes('no-tools');
        return { name: `ssh ${n.name}`, ok: tools, detail: tools ? `${n.user}@${n.host}:${n.port} reachable, iptables and tc present` : `${n.user}@${n.host}:${n.port} reachable, but iptables or tc missing`, fix: 'iptables iproute2 (on the host)' };
      } catch (e) {
        return { name: `ssh ${n.name}`, ok: false, detail: (e as Error).message, fix: 'check the inventory, key and known_hosts; openssh-server on the host' };
      } finally {
        await r.close();
      }
    }),
  );
}

function verdicts(c: Map<string, Check>, isRoot: boolean): FaultVerdict[] {
  const has = (n: string) => c.get(n)?.ok === true;
  const local = isRoot && has('namespaces') && has('bridge+veth');
  const needLocal: FaultVerdict[] = [];
  const v = (fault: string, works: boolean, mechanism: string, reason: string, fix: string): FaultVerdict =>
    works ? { fault, status: 'works', mechanism } : { fault, status: 'unavailable', mechanism, reason, fix };
  if (!local) {
    const reason = !isRoot ? 'needs root (network namespaces, cgroups)' : 'network namespaces / bridges do not work here';
    for (const f of ['partition', 'loss', 'duplicate', 'rate', 'delay']) needLocal.push({ fault: f, status: 'unavailable', mechanism: 'local provider', reason, fix: !isRoot ? 'run as root' : 'iproute2' });
  } else {
    needLocal.push(v('partition', has('nft'), 'nft bridge table in the switch namespace', 'nft does not work', 'nftables'));
    needLocal.push(v('loss', has('nft'), 'nft numgen in the switch namespace', 'nft does not work', 'nftables'));
    needLocal.push(v('duplicate', has('iptables TEE'), 'iptables TEE in the sending node', 'iptables TEE does not work', 'iptables'));
    needLocal.push(v('rate', has('tc htb'), 'tc htb on the switch port', 'htb qdisc does not work', 'iproute2'));
    const helper = c.get('delay helper');
    const delayOk = has('NFQUEUE') && has('br_netfilter') && helper?.ok === true;
    needLocal.push(
      delayOk
        ? has('tc netem')
          ? { fault: 'delay', status: 'works', mechanism: 'NFQUEUE delay helper (netem is also present)' }
          : { fault: 'delay', status: 'fallback', mechanism: 'NFQUEUE delay helper on the receiving side', reason: 'the kernel has no netem' }
        : {
            fault: 'delay',
            status: 'unavailable',
            mechanism: 'NFQUEUE delay helper',
            reason: [c.get('NFQUEUE'), c.get('br_netfilter'), helper].filter((x) => x && !x.ok).map((x) => x!.detail).join('; '),
            fix: helper?.ok ? 'iptables' : DELAYER_APT,
          },
    );
  }
  const freezer = c.get('freezer');
  return [
    ...needLocal,
    isRoot ? { fault: 'kill', status: 'works', mechanism: 'SIGKILL by pid (cgroup.kill for whole nodes), then restart' } : { fault: 'kill', status: 'unavailable', mechanism: 'local provider', reason: 'needs root', fix: 'run as root' },
    !isRoot
      ? { fault: 'pause', status: 'unavailable', mechanism: 'local provider', reason: 'needs root', fix: 'run as root' }
      : freezer?.ok
        ? { fault: 'pause', status: 'works', mechanism: freezer.detail }
        : { fault: 'pause', status: 'fallback', mechanism: 'SIGSTOP/SIGCONT', reason: freezer?.detail ?? 'no freezer' },
    has('libfaketime')
      ? { fault: 'clock', status: 'works', mechanism: 'libfaketime offset file per node (libc and Node DBs; Go DBs such as etcd ignore it, so clock is refused for them)' }
      : { fault: 'clock', status: 'unavailable', mechanism: 'libfaketime', reason: `${LIBFAKETIME} missing`, fix: LIBFAKETIME_APT },
    has('faultfs')
      ? { fault: 'disk', status: 'works', mechanism: 'fault filesystem (FUSE) over each node directory: power-loss, disk-errors, slow-disk, full-disk, bitflip' }
      : { fault: 'disk', status: 'unavailable', mechanism: 'fault filesystem (FUSE)', reason: c.get('faultfs')?.detail ?? 'not probed', fix: c.get('faultfs')?.fix ?? CAPABILITIES.disk.packages.join(' ') },
  ];
}

export async function runDoctor(opts: { inventory?: Inventory } = {}): Promise<DoctorReport> {
  const isRoot = process.platform === 'linux' && process.getuid?.() === 0;
  const c = new Map<string, Check>();
  const put = (x: Check) => c.set(x.name, x);
  put({ name: 'root', ok: isRoot, detail: isRoot ? 'running as root' : 'not root: the local provider and its faults need root', fix: 'run as root (sudo)' });
  const ip = await ok(['ip', '-V']);
  put({ name: 'ip', ok: ip.ok, detail: ip.ok ? ip.out : 'ip missing', fix: 'iproute2' });
  if (isRoot && ip.ok) for (const x of (await probeNamespace()).values()) put(x);
  if (isRoot) put(await probeFreezer());
  const lib = await exists(LIBFAKETIME);
  put({ name: 'libfaketime', ok: lib, detail: lib ? LIBFAKETIME : `${LIBFAKETIME} missing`, fix: LIBFAKETIME_APT });
  const cc = await ok(['cc', '--version']);
  put({ name: 'cc', ok: cc.ok, detail: cc.ok ? cc.out : 'no C compiler', fix: 'gcc' });
  try {
    const bin = await helperOnHost(CONTROLLER_HOST, DELAYER_SPEC);
    put({ name: 'delay helper', ok: true, detail: `built: ${bin}` });
  } catch (e) {
    put({ name: 'delay helper', ok: false, detail: e instanceof HostBuildFailed ? e.message : String(e), fix: DELAYER_APT });
  }
  put(isRoot ? { name: 'faultfs', ...(await probeFaultFs(CONTROLLER_HOST)) } : { name: 'faultfs', ok: false, detail: 'not root: mounting needs root', fix: 'run as root (sudo)' });
  const etcd = await ok(['etcd', '--version']);
  put({ name: 'etcd', ok: etcd.ok, detail: etcd.ok ? etcd.out : 'etcd binary not found (needed for --db etcd)', fix: 'etcd-server etcd-client' });
  const nc = await ok(['sh', '-c', 'command -v nc']);
  put({ name: 'nc', ok: nc.ok, detail: nc.ok ? nc.out : 'nc missing (ssh through a namespace, tests)', fix: 'netcat-openbsd' });
  const sshd = await exists('/usr/sbin/sshd');
  put({ name: 'sshd', ok: sshd, detail: sshd ? '/usr/sbin/sshd present (ssh tests on namespaces)' : 'sshd missing (only needed to test the ssh path locally)', fix: 'openssh-server' });
  if (opts.inventory) for (const x of await probeSsh(opts.inventory)) put(x);
  const checks = [...c.values()];
  return { checks, faults: verdicts(c, isRoot) };
}

/** The report as text lines, for the terminal. */
export function formatDoctor(r: DoctorReport): string {
  const lines = ['checks:'];
  for (const c of r.checks) lines.push(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name.padEnd(14)} ${c.detail}${!c.ok && c.fix ? `  (fix: ${c.fix})` : ''}`);
  lines.push('', 'faults:');
  for (const f of r.faults) {
    const tail = f.status === 'works' ? '' : ` — ${f.reason ?? ''}${f.fix ? ` (fix: ${f.fix})` : ''}`;
    lines.push(`  ${f.status.padEnd(11)} ${f.fault.padEnd(10)} ${f.mechanism}${tail}`);
  }
  return lines.join('\n') + '\n';
}
