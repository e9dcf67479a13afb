/**
 * The tool's DuckDB cannot touch files, the network or extensions, and its
 * settings cannot be changed once the data is in — even by SQL that the rule
 * compiler would never write (these statements go to the connection as they
 * are, as if an expression had slipped past every check). Params are bound
 * values: no text in one can become SQL.
 */
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditDatabase } from '../../../src/engine/duckdb/database.js';
import { loadIntoDuckDB } from '../../../src/engine/duckdb/load.js';
import { readRows } from '../../../src/engine/duckdb/read.js';

const tmp = mkdtempSync(join(tmpdir(), 'fundaudit-duckdb-lock-'));
const outside = join(tmp, 'outside.csv');
const target = join(tmp, 'written.csv');
let db: AuditDatabase;

beforeAll(async () => {
  writeFileSync(outside, 'a,b\n1,2\n');
  const exports = join(tmp, 'payouts.csv');
  writeFileSync(exports, '公民身份号码,姓名,待遇年月,发放金额\n11010519491231002X,张三,2024-01,1.00\n110105194912310021,李四,2024-01,2.00\n');
  db = await AuditDatabase.open({ memoryBytes: 256 << 20, threads: 1, maxTempBytes: 256 << 20 });
  await loadIntoDuckDB([exports], {}, db, { workers: 0 });
  await db.lock();
});

afterAll(() => {
  db?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** Runs SQL as it is on the locked connection. */
const run = (sql: string) => db.connection.run(sql);

describe('the locked-down DuckDB', () => {
  it('still answers queries over the loaded data', async () => {
    const { rows } = await readRows(db.connection, 'SELECT count(*), sum(amount) FROM payouts');
    expect(rows).toEqual([[2, 300]]);
  });

  it.each([
    ['read_csv', `SELECT * FROM read_csv('${outside}')`],
    ['a file named as a table', `SELECT * FROM '${outside}'`],
    ['read_text of a system file', `SELECT * FROM read_text('/etc/passwd')`],
    ['read_blob', `SELECT * FROM read_blob('/etc/hostname')`],
    ['glob', `SELECT * FROM glob('/etc/*')`],
    ['a path climbing out of the temporary folder', `SELECT * FROM read_csv('${db?.tempDir ?? '/tmp'}/../../etc/passwd')`],
  ])('cannot read files: %s', async (_, sql) => {
    await expect(run(sql)).rejects.toThrow(/disabled by configuration|Permission Error/);
  });

  it('cannot write files with COPY', async () => {
    await expect(run(`COPY payouts TO '${target}'`)).rejects.toThrow(/disabled by configuration|Permission Error/);
    await expect(run(`COPY (SELECT * FROM payouts) TO '${target}' (FORMAT csv)`)).rejects.toThrow(/disabled by configuration|Permission Error/);
    expect(existsSync(target)).toBe(false);
  });

  it('cannot attach a database file, or export the database', async () => {
    await expect(run(`ATTACH '${join(tmp, 'other.db')}' AS other`)).rejects.toThrow(/disabled by configuration|Permission Error/);
    await expect(run(`EXPORT DATABASE '${join(tmp, 'dump')}'`)).rejects.toThrow(/disabled by configuration|Permission Error/);
    expect(existsSync(join(tmp, 'other.db'))).toBe(false);
    expect(existsSync(join(tmp, 'dump'))).toBe(false);
  });

  it('cannot install or load extensions, nor reach the network through one', async () => {
    await expect(run('INSTALL httpfs')).rejects.toThrow(/disabled by configuration|Permission Error/);
    await expect(run('LOAD httpfs')).rejects.toThrow(/disabled through configuration|disabled by configuration|Permission Error/);
    await expect(run(`SELECT * FROM read_csv('https://example.com/x.csv')`)).rejects.toThrow(/disabled|Permission Error|not loaded|httpfs/i);
  });

  it('has no getenv, nor any function reading the environment', async () => {
    await expect(run(`SELECT getenv('HOME')`)).rejects.toThrow(/getenv does not exist/);
  });

  it.each([
    ['SET enable_external_access = true'],
    ['SET autoload_known_extensions = true'],
    ['SET autoinstall_known_extensions = true'],
    ['SET allow_unsigned_extensions = true'],
    ['SET memory_limit = \'64GB\''],
    ['SET threads = 64'],
    ['SET temp_directory = \'/tmp\''],
    ['SET lock_configuration = false'],
    ['RESET enable_external_access'],
    ['PRAGMA memory_limit=\'64GB\''],
  ])('cannot change a setting once locked: %s', async (sql) => {
    await expect(run(sql)).rejects.toThrow(/locked|disabled by configuration|Permission Error/);
  });

  it('keeps the settings it was opened with', async () => {
    const { rows } = await readRows(
      db.connection,
      `SELECT current_setting('enable_external_access'), current_setting('autoload_known_extensions'), current_setting('autoinstall_known_extensions'), current_setting('lock_configuration')`,
    );
    expect(rows).toEqual([[false, false, false, true]]);
  });

  it.each([
    [`x'); COPY (SELECT 1) TO '${target}'; --`],
    [`' OR 1=1 --`],
    [`$$; ATTACH '${join(tmp, 'p.db')}' AS p; $$`],
    [`"; DROP TABLE payouts__rows; --`],
    ['\u0000\'\\x27; SELECT getenv(\'HOME\')'],
  ])('binds a param as a value, never as SQL: %s', async (text) => {
    const echoed = await readRows(db.connection, 'SELECT $p AS v', { p: text });
    expect(echoed.rows).toEqual([[text]]);
    const matched = await readRows(db.connection, 'SELECT count(*) FROM payouts WHERE name = $p OR id_number = $p', { p: text });
    expect(matched.rows).toEqual([[0]]);
    expect(existsSync(target)).toBe(false);
    expect(existsSync(join(tmp, 'p.db'))).toBe(false);
    expect((await readRows(db.connection, 'SELECT count(*) FROM payouts')).rows).toEqual([[2]]);
  });

  it('spills to a private temporary folder that closing removes', async () => {
    const spare = await AuditDatabase.open({ memoryBytes: 64 << 20, threads: 1, maxTempBytes: 1 << 30 });
    const dir = spare.tempDir;
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    // Over its memory limit: the sort spills to the folder rather than failing.
    const { rows } = await readRows(spare.connection, `SELECT count(*) FROM (SELECT md5(i::VARCHAR) AS s FROM range(2000000) r(i) ORDER BY s)`);
    expect(rows).toEqual([[2000000]]);
    spare.close();
    expect(existsSync(dir)).toBe(false);
  });
});
