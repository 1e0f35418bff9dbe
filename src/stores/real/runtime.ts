/**
 * The real Runtime a node process runs on: peers over TCP (PeerTransport), files (FileStorage),
 * libuv timers (monotonic), Date.now as the wall clock (so libfaketime can skew it), and
 * diagnostic lines on stderr.
 */
import type { Runtime, TimerHandle } from '../runtime.ts';
import type { FileStorage } from './file-storage.ts';
import type { PeerTransport } from './peer-transport.ts';

export function realRuntime<M>(opts: {
  self: string;
  peers: readonly string[];
  transport: PeerTransport;
  storage: FileStorage;
}): Runtime<M> {
  const { self, transport } = opts;
  return {
    self,
    peers: opts.peers,
    send: (to, msg) => transport.send(to, msg),
    setTimer: (ms, fn) => setTimeout(fn, ms),
    clearTimer: (t: TimerHandle) => clearTimeout(t as NodeJS.Timeout),
    defer: fn => void setImmediate(fn),
    now: () => Date.now(),
    monotonic: () => performance.now(),
    random: Math.random,
    storage: opts.storage,
    log: line => logLine(self, line),
  };
}

export function logLine(self: string, line: string): void {
  process.stderr.write(`${new Date().toISOString()} ${self} ${line}\n`);
}
