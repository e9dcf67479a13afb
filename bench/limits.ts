/**
 * DuckDB's limits for a measurement: the pool `audit` gets by default (session.ts defaultLimits), or
 * POOL_MIB MiB for a trial of another pool; both cores; 20 GiB of spill at most. The hand-written checks
 * get the same pool, so the two sides of a comparison have the same memory.
 */
import { availableParallelism } from 'node:os';
import { defaultLimits } from '../src/engine/duckdb/session.js';

const pool = process.env.POOL_MIB ? Number(process.env.POOL_MIB) * 1048576 : defaultLimits().memoryBytes;
if (!(pool > 0)) throw new Error(`POOL_MIB must be a number of MiB, not ${process.env.POOL_MIB}`);

export const BENCH_LIMITS = { memoryBytes: pool, threads: Math.min(2, availableParallelism()), maxTempBytes: 20 * 2 ** 30 };
