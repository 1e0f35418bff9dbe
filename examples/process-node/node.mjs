#!/usr/bin/env node
// A node program for `faultline test --db process` (docs/node-protocol.md), in plain Node.js:
// the first node of --peers keeps every key in memory and serves every op; the others answer
// not-leader with its address, which clients follow. One copy of the data, so it is linearizable
// whatever the network does; being in memory only, it forgets everything when killed.
//
//   node node.mjs --id n2 --listen 10.0.0.12:8080 --peers n1=10.0.0.11:8080,n2=10.0.0.12:8080
import http from 'node:http';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({ options: { id: { type: 'string' }, listen: { type: 'string' }, peers: { type: 'string' } } });
if (!args.id || !args.listen || !args.peers) {
  process.stderr.write('usage: node.mjs --id NODE --listen HOST:PORT --peers n1=HOST:PORT,n2=...\n');
  process.exit(254);
}
const peers = args.peers.split(',').map((p) => p.split('='));
const [leaderId, leaderAddress] = peers[0];
const isLeader = args.id === leaderId;
const data = new Map(); // key (string or number) -> value

const STATUS = { 'not-leader': 421, 'cas-mismatch': 409, 'type-mismatch': 409, 'bad-request': 400, 'unknown-op': 404 };
const error = (code, message, extra = {}) => ({ ok: false, error: { code, message, definite: true, ...extra } });
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const read = (key) => (data.has(key) ? data.get(key) : null);

/** One op, applied at once: nothing here waits, so every answer is definite. */
function apply(path, body) {
  switch (path) {
    case '/read':
      return { ok: true, value: read(body.key) };
    case '/write':
      data.set(body.key, body.value);
      return { ok: true };
    case '/cas':
      if (!same(read(body.key), body.from)) return error('cas-mismatch', 'the value differs', { value: read(body.key) });
      data.set(body.key, body.to);
      return { ok: true };
    case '/txn': {
      // Apply to a copy of what the txn touches, so a refused txn changes nothing.
      const touched = new Map();
      const current = (k) => (touched.has(k) ? touched.get(k) : read(k));
      const done = [];
      for (const [f, k, v] of body.ops) {
        if (f === 'r') {
          done.push([f, k, current(k)]);
          continue;
        }
        const list = current(k) ?? [];
        if (f === 'append' && !Array.isArray(list)) return error('type-mismatch', `key ${JSON.stringify(k)} holds no list`);
        touched.set(k, f === 'append' ? [...list, v] : v);
        done.push([f, k, v]);
      }
      for (const [k, v] of touched) data.set(k, v);
      return { ok: true, value: done };
    }
  }
}

function answer(req, body) {
  const path = req.url.split('?')[0];
  if (req.method === 'GET' && path === '/status') {
    return { node: args.id, store: 'process-node', role: isLeader ? 'leader' : 'follower', term: 1, leader: leaderId, bugs: [] };
  }
  if (!['/read', '/write', '/cas', '/txn'].includes(path) || req.method !== 'POST') return error('unknown-op', `no ${req.method} ${path}`);
  if (!isLeader) return error('not-leader', `${leaderId} leads`, { leader: { id: leaderId, address: leaderAddress } });
  let parsed;
  try {
    parsed = JSON.parse(body);
  } catch {
    return error('bad-request', 'the body is not JSON');
  }
  const refused = malformed(path, parsed);
  return refused ? error('bad-request', refused) : apply(path, parsed);
}

/** What is wrong with a request body, if anything. */
function malformed(path, body) {
  const isKey = (k) => typeof k === 'string' || Number.isFinite(k);
  if (typeof body !== 'object' || body === null) return 'the body must be a JSON object';
  if (path === '/txn') {
    const ok = Array.isArray(body.ops) && body.ops.every((m) => Array.isArray(m) && m.length === 3 && ['r', 'w', 'append'].includes(m[0]) && isKey(m[1]));
    return ok ? undefined : 'ops must be [f, key, value] triples, f one of r, w, append';
  }
  if (!isKey(body.key)) return 'key must be a string or a finite number';
  const missing = ({ '/write': ['value'], '/cas': ['from', 'to'] }[path] ?? []).find((field) => !(field in body));
  return missing && `missing field "${missing}"`;
}

const colon = args.listen.lastIndexOf(':');
http
  .createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const reply = answer(req, body);
      res.writeHead(reply.ok === false ? STATUS[reply.error.code] : 200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(reply));
    });
  })
  .listen(Number(args.listen.slice(colon + 1)), args.listen.slice(0, colon), () => process.stdout.write(`${args.id} listening on ${args.listen}, leader ${leaderId}\n`));
