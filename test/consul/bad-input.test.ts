// Bad ways to name the Consul binary end the CLI with one line and exit 254 before any node
// exists (these need no consul and no root): no consul anywhere, a path that does not exist, a
// file that is neither a binary nor a release zip, a URL that does not exist.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = path.join(import.meta.dirname, '..', '..', 'bin', 'faultline.js');
const work = mkdtempSync(path.join(tmpdir(), 'faultline-consul-bad-'));
const server = http.createServer((_req, res) => res.writeHead(404).end('not found'));
let base = '';

/** `faultline test --db consul` with these options, an empty PATH and no $FAULTLINE_CONSUL. */
const cli = (...opts: string[]) =>
  execa(process.execPath, [BIN, 'test', '--db', 'consul', '--nodes', '3', '--time-limit', '5', '--no-progress', '--results-dir', path.join(work, 'results'),
    '--opt', 'local.prefix=flcb', '--opt', 'local.subnet=10.218.4.0/24', ...opts.flatMap((o) => ['--opt', o])], { reject: false, env: { PATH: path.join(work, 'empty') }, extendEnv: false });

function expectOneLine(r: { exitCode?: number; stderr: string }, pattern: RegExp): void {
  expect(r.exitCode).toBe(254);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr.trim()).toMatch(pattern);
}

describe('consul binary: bad input', () => {
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((r) => server.close(r));
    rmSync(work, { recursive: true, force: true });
  });

  it('no consul anywhere says how to get one', async () => {
    expectOneLine(await cli(), /^faultline: no consul binary found; put consul on PATH \(https:\/\/releases\.hashicorp\.com\/consul\/\), set FAULTLINE_CONSUL=.*--opt consul\.binary=<path\|url>$/);
  }, 30_000);

  it('a path that does not exist', async () => {
    expectOneLine(await cli(`consul.binary=${work}/nope/consul`), /^faultline: --opt consul\.binary: \S+\/nope\/consul is not a file on this machine$/);
  }, 30_000);

  it('a file that is neither a binary nor a release zip', async () => {
    const file = path.join(work, 'consul');
    writeFileSync(file, '#!/bin/sh\necho Consul v1.0.0\n', { mode: 0o755 });
    expectOneLine(await cli(`consul.binary=${file}`), /^faultline: --opt consul\.binary: \S+\/consul is neither a Consul binary \(ELF\) nor a Consul release zip$/);
  }, 30_000);

  it('a URL that does not exist', async () => {
    expectOneLine(await cli(`consul.binary=${base}/consul_9.9.9_linux_amd64.zip`), /^faultline: --opt consul\.binary: http:\/\/127\.0\.0\.1:\d+\/consul_9\.9\.9_linux_amd64\.zip answered HTTP 404 Not Found$/);
  }, 30_000);

  it('a bad read mode', async () => {
    expectOneLine(await cli('consul.read-mode=linearizable'), /^faultline: --opt consul\.read-mode: expected default \| consistent \| stale, got "linearizable"$/);
  }, 30_000);
});
