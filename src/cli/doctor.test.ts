// `faultline doctor` on this machine: one JSON document with every check and a verdict for each
// fault kind; what it says is compared with facts the test establishes itself.
import { access } from 'node:fs/promises';
import { Command } from 'commander';
import { describe, expect, it, vi } from 'vitest';
import { LIBFAKETIME } from '../providers/local/clock.ts';
import type { DoctorReport } from '../providers/doctor.ts';
import { consulSource } from '../db/consul/install.ts';
import { register } from './doctor.ts';

async function doctorJson(): Promise<DoctorReport> {
  const program = new Command('faultline').exitOverride();
  register(program);
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out += String(s);
    return true;
  });
  try {
    await program.parseAsync(['doctor', '--json'], { from: 'user' });
  } finally {
    spy.mockRestore();
  }
  return JSON.parse(out) as DoctorReport;
}

describe('faultline doctor --json', () => {
  it('prints one JSON document with checks and a verdict per fault kind', async () => {
    const r = await doctorJson();
    const isRoot = process.getuid?.() === 0;
    expect(r.checks.find((c) => c.name === 'root')?.ok).toBe(isRoot);
    expect(r.faults.map((f) => f.fault).sort()).toEqual(['clock', 'delay', 'disk', 'duplicate', 'kill', 'loss', 'partition', 'pause', 'rate']);
    const lib = await access(LIBFAKETIME).then(() => true, () => false);
    expect(r.faults.find((f) => f.fault === 'clock')?.status).toBe(lib ? 'works' : 'unavailable');
    for (const f of r.faults) if (f.status === 'unavailable') expect(f.reason).toBeTruthy();
    process.exitCode = 0;
  });

  it('says whether consul is available, and how to make it available when not', async () => {
    const r = await doctorJson();
    const consul = r.checks.find((c) => c.name === 'consul');
    expect(consul?.ok).toBe(consulSource(undefined) !== undefined);
    if (!consul?.ok) expect(consul?.fix).toMatch(/releases\.hashicorp\.com.*FAULTLINE_CONSUL=.*--opt consul\.binary=/);
    process.exitCode = 0;
  });

  it.skipIf(process.getuid?.() !== 0)('as root, reports netem as the kernel has it and delay accordingly', async () => {
    const r = await doctorJson();
    const netem = r.checks.find((c) => c.name === 'tc netem');
    expect(netem).toBeDefined();
    const delay = r.faults.find((f) => f.fault === 'delay')!;
    if (delay.status !== 'unavailable') expect(delay.status).toBe(netem!.ok ? 'works' : 'fallback');
    expect(r.faults.find((f) => f.fault === 'partition')?.status).toBe(r.checks.find((c) => c.name === 'nft')?.ok ? 'works' : 'unavailable');
    process.exitCode = 0;
  });
});
