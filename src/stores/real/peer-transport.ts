/**
 * Node-to-node messages over real TCP. Each node dials one outbound connection to every peer, on
 * the peer's client port, as an HTTP upgrade (`Upgrade: faultline-peer`, `X-Faultline-Peer: <id>`);
 * after that the connection carries length-prefixed JSON frames in one direction only. Inbound
 * connections arrive through the HTTP server's 'upgrade' event (see server.ts).
 *
 * Delivery is best effort, like the network it models: a message to a peer that is not connected
 * is dropped, and so is a link whose send buffer stays undrained (a partition) for too long; it
 * then reconnects with jittered exponential backoff.
 */
import net from 'node:net';
import { encodeFrame, FrameDecoder } from './framing.ts';

export const PEER_UPGRADE = 'faultline-peer';
export const PEER_HEADER = 'x-faultline-peer';

export interface PeerAddress {
  host: string;
  port: number;
}

const CONNECT_TIMEOUT_MS = 1000;
const MIN_BACKOFF_MS = 20;
const MAX_BACKOFF_MS = 500;
/** A link that cannot drain its send buffer for this long is presumed cut, and redialled. */
const STALL_MS = 2000;
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

class Link {
  private socket: net.Socket | null = null;
  private ready = false;
  private backoff = MIN_BACKOFF_MS;
  private retry: NodeJS.Timeout | undefined;
  private lastDrained = 0;
  private closed = false;
  private readonly self: string;
  private readonly peer: string;
  private readonly addr: PeerAddress;
  private readonly log: (line: string) => void;

  constructor(self: string, peer: string, addr: PeerAddress, log: (line: string) => void) {
    this.self = self;
    this.peer = peer;
    this.addr = addr;
    this.log = log;
    this.connect();
  }

  send(frame: Buffer): void {
    const s = this.socket;
    if (!this.ready || !s) return;
    const now = performance.now();
    if (s.writableLength === 0) this.lastDrained = now;
    else if (now - this.lastDrained > STALL_MS || s.writableLength > MAX_BUFFERED_BYTES) {
      this.log(`link to ${this.peer} stalled; reconnecting`);
      s.destroy();
      return;
    }
    s.write(frame);
  }

  close(): void {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.socket?.destroy();
  }

  private connect(): void {
    const s = net.connect({ host: this.addr.host, port: this.addr.port });
    this.socket = s;
    s.setNoDelay(true);
    s.setTimeout(CONNECT_TIMEOUT_MS, () => s.destroy());
    s.on('connect', () => {
      s.setTimeout(0);
      s.setKeepAlive(true, 1000);
      s.write(
        `GET /peer HTTP/1.1\r\nHost: ${this.addr.host}:${this.addr.port}\r\nConnection: Upgrade\r\n` +
          `Upgrade: ${PEER_UPGRADE}\r\n${PEER_HEADER}: ${this.self}\r\n\r\n`,
      );
      this.ready = true;
      this.lastDrained = performance.now();
      this.backoff = MIN_BACKOFF_MS;
      this.log(`connected to ${this.peer}`);
    });
    s.on('drain', () => {
      this.lastDrained = performance.now();
    });
    // The peer answers the upgrade once and never writes again; nothing to read.
    s.on('data', () => {});
    s.on('error', () => {});
    s.on('close', () => {
      if (this.ready) this.log(`lost connection to ${this.peer}`);
      this.ready = false;
      this.socket = null;
      if (this.closed) return;
      const wait = this.backoff * (0.5 + Math.random());
      this.backoff = Math.min(MAX_BACKOFF_MS, this.backoff * 2);
      this.retry = setTimeout(() => this.connect(), wait);
    });
  }
}

export class PeerTransport {
  private readonly links = new Map<string, Link>();
  private readonly inbound = new Set<net.Socket>();
  private readonly peers: ReadonlyMap<string, PeerAddress>;
  private readonly onMessage: (from: string, msg: unknown) => void;
  private readonly log: (line: string) => void;

  constructor(opts: {
    self: string;
    peers: ReadonlyMap<string, PeerAddress>;
    onMessage: (from: string, msg: unknown) => void;
    log: (line: string) => void;
  }) {
    this.peers = opts.peers;
    this.onMessage = opts.onMessage;
    this.log = opts.log;
    for (const [id, addr] of opts.peers) this.links.set(id, new Link(opts.self, id, addr, opts.log));
  }

  send(to: string, msg: unknown): void {
    this.links.get(to)?.send(encodeFrame(msg));
  }

  /** Takes over an upgraded inbound connection from peer `from`; `head` holds bytes already read. */
  accept(from: string, socket: net.Socket, head: Buffer): void {
    if (!this.peers.has(from)) {
      this.log(`refused a peer connection claiming to be ${JSON.stringify(from)}`);
      socket.destroy();
      return;
    }
    this.inbound.add(socket);
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 1000);
    socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: faultline-peer\r\n\r\n');
    const decoder = new FrameDecoder();
    const onData = (chunk: Buffer): void => {
      let msgs: unknown[];
      try {
        msgs = decoder.push(chunk);
      } catch (err) {
        this.log(`bad frame from ${from}: ${(err as Error).message}; closing`);
        socket.destroy();
        return;
      }
      for (const m of msgs) this.onMessage(from, m);
    };
    socket.on('data', onData);
    socket.on('error', () => {});
    socket.on('close', () => this.inbound.delete(socket));
    if (head.length > 0) onData(head);
  }

  close(): void {
    for (const link of this.links.values()) link.close();
    for (const s of this.inbound) s.destroy();
  }
}
