/**
 * Registers this project's parts by name for every `faultline` command run in this directory:
 * `--db redis`, `--nemesis failover`, `--checker slow-ops`, and `faultline list` shows them.
 */
import { defineConfig } from 'faultline';
import redis from './redis.ts';
import failover from './failover.ts';
import slowOps from './slow-ops.ts';

export default defineConfig({ dbs: [redis], nemeses: [failover], checkers: [slowOps] });
