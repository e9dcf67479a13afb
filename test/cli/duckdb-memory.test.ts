/**
 * The run's DuckDB memory (`--duckdb-memory N`, `duckdb_memory: N`): DuckDB's limit is fixed for the whole
 * run when the database opens, so a rule DuckDB cannot run within it (even spilling to disk) is stopped with
 * a reason that names this setting — not the rule's own memory budget, which cannot raise it — in both
 * languages; given more, the rule runs. Through the real binary, on a generated table of 20,000 rows and a
 * rule whose lists DuckDB must hold whole (test/cli/hostile/duckdb-memory: about 60 MB of text).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fundaudit, ROOT } from './binary.js';

const HUNGRY = join(ROOT, 'test/cli/hostile/duckdb-memory');
const ROWS = 20_000;

let dir: string;

type Skipped = { ruleId: string; reason: string; code: string; budget?: { limit: string; value: number } };

function audit(args: string[]) {
  return fundaudit(['audit', dir, '--no-config', '--no-default-rules', '--rules', HUNGRY, ...args], { timeout: 120_000 });
}

function auditJson(args: string[]) {
  const r = audit(['--format', 'json', ...args]);
  return { ...r, doc: r.stdout ? (JSON.parse(r.stdout) as { skipped: Skipped[]; findings: Array<{ ruleId: string }> }) : undefined };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fa-duckdb-memory-'));
  const schemes = ['110', '120', '170'];
  const payouts = ['个人编号,姓名,险种类型,待遇项目,待遇年月,发放金额,发放状态'];
  for (let i = 0; i < ROWS; i++) payouts.push(`P${i},张三,${schemes[i % 3]},基本养老金,2024-01,3000.00,成功`);
  writeFileSync(join(dir, 'payouts.csv'), payouts.join('\n') + '\n');
});

describe('a rule DuckDB cannot run within the run\'s memory', () => {
  it('is stopped with a reason naming --duckdb-memory and duckdb_memory, not the rule\'s budget param', () => {
    const r = auditJson(['--duckdb-memory', '64', '--lang', 'en']);
    expect(r.stderr).not.toMatch(/internal error/i);
    const s = r.doc!.skipped.find((x) => x.ruleId === 'HUNGRY-LISTS')!;
    expect(s).toMatchObject({ code: 'budget', budget: { limit: 'duckdb_memory', value: 64 } });
    expect(s.reason).toMatch(/within its memory limit for the run, 64 MiB, even spilling to disk/);
    expect(s.reason).toMatch(/--duckdb-memory N \(MiB; this run had 64\), or duckdb_memory: N in the config file/);
    expect(s.reason).not.toMatch(/budget_memory_mb/);
    // Nothing ran: exit 2, and the fix says how to give DuckDB more.
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no rule could run.*HUNGRY-LISTS/);
    expect(r.stderr).toMatch(/give DuckDB more memory for the run with --duckdb-memory N \(MiB\)/);
  });

  it('says it in Chinese in a Chinese report', () => {
    const r = auditJson(['--duckdb-memory', '64', '--lang', 'zh']);
    const s = r.doc!.skipped.find((x) => x.ruleId === 'HUNGRY-LISTS')!;
    expect(s.reason).toMatch(/^DuckDB 在本次运行的内存上限（64 MiB）内无法完成本规则.*如需放宽：--duckdb-memory N（单位 MiB），或在配置文件中设置 duckdb_memory: N/);
    expect(s.reason).not.toMatch(/budget_memory_mb/);
  });

  it('runs when the run gives DuckDB more, on the command line or in the config file', () => {
    const cli = auditJson(['--duckdb-memory', '512']);
    expect(cli.code).toBe(0);
    expect(cli.doc!.skipped).toEqual([]);
    expect(cli.doc!.findings.map((f) => f.ruleId)).toEqual(['HUNGRY-LISTS', 'HUNGRY-LISTS', 'HUNGRY-LISTS']);
    const config = join(dir, 'memory.yaml');
    writeFileSync(config, 'duckdb_memory: 512\n');
    const fromConfig = fundaudit(['audit', dir, '--config', config, '--no-default-rules', '--rules', HUNGRY, '--format', 'json']);
    expect(fromConfig.code).toBe(0);
    expect(JSON.parse(fromConfig.stdout).findings).toHaveLength(3);
    // The command line wins over the config file.
    const both = fundaudit(['audit', dir, '--config', config, '--no-default-rules', '--rules', HUNGRY, '--format', 'json', '--duckdb-memory', '64']);
    expect(JSON.parse(both.stdout).skipped[0].budget).toEqual({ limit: 'duckdb_memory', value: 64 });
  });
});

describe('the setting is checked and documented', () => {
  it.each(['lots', '0', '63', '1.5', '-1'])('--duckdb-memory %s is a usage error naming the bounds', (value) => {
    const r = audit(['--duckdb-memory', value]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`--duckdb-memory: "${value.replace('.', '\\.')}" is not a whole number of MiB from 64 to 1048576`));
  });

  it('a bad duckdb_memory in the config file names the key and the file', () => {
    const config = join(dir, 'bad-memory.yaml');
    writeFileSync(config, 'duckdb_memory: plenty\n');
    const r = fundaudit(['audit', dir, '--config', config, '--no-default-rules', '--rules', HUNGRY]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/duckdb_memory in .*bad-memory\.yaml: "plenty" is not a whole number of MiB/);
  });

  it('audit --help lists it', () => {
    const r = fundaudit(['audit', '--help']);
    expect(r.stdout.replace(/\s+/g, ' ')).toMatch(/--duckdb-memory <MiB> memory DuckDB may hold for the run before it spills to disk/);
  });
});
