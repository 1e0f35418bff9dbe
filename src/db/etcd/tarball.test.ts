// Pure parts of installing etcd from a release tarball: finding the release layout in a tar
// listing, and the `--opt` rules for etcd-tarball / etcd-install-dir.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.ts';
import { ETCD_OPTIONS, etcdDbOptions } from './index.ts';
import { parseOwnOptions } from '../../options/parse.ts';
import { releaseLayout } from './tarball.ts';

describe('releaseLayout', () => {
  it('finds etcd and etcdctl of an official release listing', () => {
    const listing = ['etcd-v3.5.17-linux-amd64/', 'etcd-v3.5.17-linux-amd64/README.md', 'etcd-v3.5.17-linux-amd64/etcdctl', 'etcd-v3.5.17-linux-amd64/etcd', 'etcd-v3.5.17-linux-amd64/etcdutl'].join('\n');
    expect(releaseLayout(listing)).toEqual({
      top: 'etcd-v3.5.17-linux-amd64',
      version: '3.5.17',
      members: ['etcd-v3.5.17-linux-amd64/etcd', 'etcd-v3.5.17-linux-amd64/etcdctl'],
      strip: 1,
    });
  });

  it('accepts "./" prefixes, other architectures and pre-release versions; etcdctl is optional', () => {
    expect(releaseLayout('./etcd-v3.6.0-rc.1-linux-arm64/etcd\n')).toEqual({ top: 'etcd-v3.6.0-rc.1-linux-arm64', version: '3.6.0-rc.1', members: ['./etcd-v3.6.0-rc.1-linux-arm64/etcd'], strip: 2 });
  });

  it('rejects anything else', () => {
    expect(releaseLayout('README\n')).toBeUndefined();
    expect(releaseLayout('etcd\netcdctl\n')).toBeUndefined();
    expect(releaseLayout('etcd-v3.5.17-darwin-amd64/etcd\n')).toBeUndefined();
    expect(releaseLayout('etcd-v3.5.17-linux-amd64/bin/etcd\n')).toBeUndefined();
    expect(releaseLayout('etcd-v3.5.17-linux-amd64/etcd.sig\n')).toBeUndefined();
  });
});

describe('etcd-tarball options', () => {
  const parse = (options: Record<string, string>) => etcdDbOptions(parseOwnOptions(options, { part: 'db etcd', prefix: 'etcd', schema: ETCD_OPTIONS }), 1000);

  it('passes the tarball and install dir through', () => {
    expect(parse({ 'etcd.tarball': 'https://example.invalid/etcd.tar.gz', 'etcd.install-dir': '/opt/etcd' })).toMatchObject({ tarball: 'https://example.invalid/etcd.tar.gz', installDir: '/opt/etcd' });
  });

  it('refuses a tarball together with a binary, and a relative install dir', () => {
    expect(() => parse({ 'etcd.tarball': '/x.tar.gz', 'etcd.binary': '/usr/bin/etcd' })).toThrow(new UsageError('--opt etcd.tarball and etcd.binary exclude each other; give one'));
    expect(() => parse({ 'etcd.install-dir': 'rel/dir' })).toThrow(UsageError);
  });
});
