/**
 * The tool's DuckDB: embedded, in memory, and locked down (DESIGN §9).
 *
 * - In memory, in a database attached with COMPRESS so that a checkpoint
 *   compresses loaded tables (dictionary, bit-packing, …) as a file database
 *   would; past its memory limit DuckDB spills to a temporary folder that this
 *   module creates (mode 0700, under the system's temporary directory) and
 *   removes when the database is closed — or, failing that, at process exit,
 *   or by the next run when this process was killed.
 * - No file, network or extension access: enable_external_access=false (no
 *   read_csv, COPY, ATTACH of a file, INSTALL), extension auto-install and
 *   auto-load off, community and unsigned extensions off.
 * - Its configuration is locked once the data is in (`lock()`): no SET can
 *   widen any of this again.
 *
 * One hole is DuckDB's and is documented rather than hidden: with external
 * access off, DuckDB still lets SQL read and write inside its own temporary
 * folder, because spilling goes through the same file system layer. The folder
 * is private to this run and holds nothing but spilled data; and the SQL this
 * tool runs is compiled from a rule's checked expression tree by a closed
 * translation, which cannot name a table function, COPY, ATTACH or SET.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXPRESSION_MACROS } from './expression.js';
import { FUNCTION_MACROS } from './functions.js';
import { processAlive } from '../../processes.js';
import { DUCKDB_MEMORY } from '../../rules/budget.js';

/** What one database may use. */
export interface DatabaseLimits {
  /** DuckDB's memory limit in bytes: its buffer pool (table data, hash tables, sorts). Past it, it spills. */
  memoryBytes: number;
  /** Threads DuckDB runs queries (and checkpoints) on. */
  threads: number;
  /** Most bytes DuckDB may spill to its temporary folder. */
  maxTempBytes: number;
  /** Where the temporary folder is made; the system's temporary directory by default. */
  tempRoot?: string;
}

const PREFIX = 'fundaudit-duckdb-';

/** How a user gives the run's DuckDB more memory (rules/budget.ts), for the reason a rule did not run. */
export function moreMemoryHint(mib: number): string {
  return `give DuckDB more memory for the run with ${DUCKDB_MEMORY.option} N (MiB; this run had ${mib}), or ${DUCKDB_MEMORY.config}: N in the config file`;
}

/**
 * Compression methods left out of checkpoints. Measured on a million payout rows (CPU seconds of the
 * checkpoint, then the table's size): everything allowed 1.4–2.6 s, 40 MB; FSST and ZSTD left out 1.1–1.3 s,
 * 40 MB (dictionary + FSST on the dictionary still shrinks codes, names, identity numbers ninefold); every
 * string method left out 0.65 s but 245 MB, too much for five million rows in 2 GiB. FSST on whole columns and
 * ZSTD cost their analysis on every string column and win nothing here.
 * It is SET on the connection: given to DuckDBInstance.create, DuckDB 1.5 kept '' (nothing left out).
 */
const DISABLED_COMPRESSION = 'fsst,zstd';

/**
 * How DuckDB's allocator (jemalloc) gives memory back: it keeps what a query freed for a while, and that
 * memory is resident beside the pool, while the next step (the findings built in JavaScript, the next rule)
 * needs its own. Background threads purge it as it ages, and each thread's cache is flushed after a task that
 * held more than 16 MiB (DuckDB: 128), as a bulk release of more than 64 MiB (DuckDB: 512) flushes everything.
 * Measured on 2M payout rows with a 512 MiB pool, the same five rules each run (rules-profile, same sitting):
 * resident memory after the load 595 -> 415 MiB, at most during the rules 824 -> 749 MiB, the rules' CPU
 * seconds the same (PAYOUT-BANK-MISMATCH 12.9 -> 12.7, INVALID-ID-PAID 7.2 -> 7.0).
 */
const ALLOCATOR = {
  allocator_background_threads: 'true',
  allocator_flush_threshold: '16MiB',
  allocator_bulk_deallocation_flush_threshold: '64MiB',
};

/** The locked-down DuckDB of one run. */
export class AuditDatabase {
  private closed = false;
  private readonly onExit = () => this.removeTemp();

  private constructor(
    private readonly instance: DuckDBInstance,
    /** The connection every statement of the run goes through. */
    readonly connection: DuckDBConnection,
    /** The private temporary folder DuckDB spills to. */
    readonly tempDir: string,
    /** Threads DuckDB runs queries on. */
    readonly threads: number,
    /** DuckDB's memory limit (MiB). */
    readonly memoryMb: number,
  ) {
    process.once('exit', this.onExit);
  }

  /** Opens an in-memory database with external access off and the given limits. */
  static async open(limits: DatabaseLimits): Promise<AuditDatabase> {
    const root = limits.tempRoot ?? tmpdir();
    removeStaleFolders(root);
    const tempDir = mkdtempSync(join(root, `${PREFIX}${process.pid}-`));
    let instance: DuckDBInstance | undefined;
    const memoryMb = Math.max(1, Math.floor(limits.memoryBytes / 1048576));
    try {
      // Order matters: DuckDB refuses to set a path once external access is off.
      instance = await DuckDBInstance.create(':memory:', {
        temp_directory: tempDir,
        max_temp_directory_size: `${Math.max(1, Math.floor(limits.maxTempBytes / 1048576))}MiB`,
        memory_limit: `${memoryMb}MiB`,
        threads: String(Math.max(1, limits.threads)),
        autoinstall_known_extensions: 'false',
        autoload_known_extensions: 'false',
        allow_community_extensions: 'false',
        allow_unsigned_extensions: 'false',
        enable_external_access: 'false',
        ...ALLOCATOR,
      });
      const connection = await instance.connect();
      await connection.run(`SET disabled_compression_methods = '${DISABLED_COMPRESSION}'`);
      await connection.run(`ATTACH ':memory:' AS fundaudit (COMPRESS)`);
      await connection.run('USE fundaudit');
      for (const macro of [...FUNCTION_MACROS, ...EXPRESSION_MACROS]) await connection.run(macro);
      return new AuditDatabase(instance, connection, tempDir, Math.max(1, limits.threads), memoryMb);
    } catch (err) {
      instance?.closeSync();
      rmSync(tempDir, { recursive: true, force: true });
      throw err;
    }
  }

  /** Locks the configuration: from now on no statement can change a setting (memory, threads, access). */
  async lock(): Promise<void> {
    await this.connection.run('SET lock_configuration = true');
  }

  /** Closes the database and removes its temporary folder. Safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.connection.closeSync();
      this.instance.closeSync();
    } finally {
      this.removeTemp();
      process.removeListener('exit', this.onExit);
    }
  }

  private removeTemp(): void {
    rmSync(this.tempDir, { recursive: true, force: true });
  }
}

/** Removes temporary folders of runs whose process is gone (killed before it could clean up). */
function removeStaleFolders(root: string): void {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return;
  }
  const uid = process.getuid?.();
  for (const name of names) {
    if (!name.startsWith(PREFIX)) continue;
    const pid = Number(name.slice(PREFIX.length).split('-')[0]);
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || processAlive(pid)) continue;
    const path = join(root, name);
    try {
      // Only our own: another user's folder in a shared /tmp is not ours to remove.
      if (uid !== undefined && statSync(path).uid !== uid) continue;
      rmSync(path, { recursive: true, force: true });
    } catch {
      // Gone already, or not ours to remove: either way nothing to do.
    }
  }
}

