/**
 * Runs the inline test cases of rules (`fundaudit rules test`): each case's
 * tables are loaded from their CSV text with the real loader, the rule runs
 * with the case's params, and the findings are compared with `expect`.
 *
 * Like ESLint's RuleTester, the cases themselves are checked too (duplicate
 * names, `none` with other expectations, nothing expected), and a case whose
 * CSV has an error-level data issue or an unknown header fails: a rule test
 * must not rest on mis-typed data.
 *
 * Each case runs on the reference executor (Arquero), whose findings are
 * held against `expect`, and on DuckDB, whose findings must be the same
 * finding for finding: a disagreement fails the case.
 */
import type { DataIssue, LoadedTable } from '../data/model.js';
import { formatYuan } from '../data/yuan.js';
import { loadText } from '../data/load.js';
import { addReferenceTables } from '../data/reference.js';
import { upgradeId15 } from '../data/types/id.js';
import type { CompiledRule } from '../plan/compile.js';
import { renderTemplate } from '../plan/template.js';
import type { TestCase } from '../rules/model.js';
import { yuanToFen, type ParamOverrides } from '../rules/params.js';
import { MemoryDataset } from './dataset.js';
import { compareRuns, type Finding, type RunResult } from './finding.js';
import { requiredTables, runRules } from './run.js';
import { AuditDatabase } from './duckdb/database.js';
import { DuckDBDataset } from './duckdb/dataset.js';
import { DuckDBExecutor } from './duckdb/executor.js';
import { dropTables, loadTablesIntoDuckDB } from './duckdb/load.js';

/** Which executors a test run uses: the reference alone, or DuckDB as well (checked against it). */
export type TestEngines = 'both' | 'arquero';

/** A DuckDB for the whole run's cases, made on the first case that needs it. */
class CaseDatabase {
  private db: Promise<AuditDatabase> | null = null;
  private readonly executor = new DuckDBExecutor();

  /** Runs the rule on the case's tables in DuckDB. */
  async run(rule: CompiledRule, tables: Map<string, LoadedTable>, params: ParamOverrides | undefined): Promise<RunResult> {
    this.db ??= AuditDatabase.open({ memoryBytes: 256 << 20, threads: 1, maxTempBytes: 1 << 30 });
    const db = await this.db;
    await dropTables(db);
    const load = await loadTablesIntoDuckDB(tables, db);
    return runRules([rule], DuckDBDataset.of(db, load), { params, executor: this.executor });
  }

  async close(): Promise<void> {
    if (this.db) (await this.db).close();
  }
}

/** The outcome of one inline case. */
export interface CaseResult {
  ruleId: string;
  file: string;
  case: string;
  /** 0-based index of the case in the rule's `tests`. */
  index: number;
  passed: boolean;
  /** Why it failed, one line each ("expected count 1, found 0"). */
  failures: string[];
  /** What the rule found, for the failure report. */
  found: { count: number; entities: string[]; amount: string | null; findings: { entity: string; period: string | null; amount: string | null; message: string }[] };
  /** Data issues of the case's CSV tables (errors fail the case; warnings are informational). */
  issues: DataIssue[];
}

/** A rule that cannot be tested as a whole (no cases). */
export interface RuleTestProblem {
  ruleId: string;
  file: string;
  message: string;
}

export interface TestReport {
  results: CaseResult[];
  problems: RuleTestProblem[];
  passed: number;
  failed: number;
}

const EXPECT_KEYS = ['none', 'count', 'entities', 'amount'];

/** Problems with the case itself, found before running it. */
function caseProblems(tc: TestCase, index: number, earlier: TestCase[]): string[] {
  const out: string[] = [];
  const name = typeof tc?.name === 'string' ? tc.name.trim() : '';
  if (!name) out.push(`case #${index + 1} has no name: give each case a short name saying what it shows`);
  else if (earlier.some((e) => typeof e?.name === 'string' && e.name.trim() === name)) {
    out.push(`duplicate case name "${name}": each case of a rule needs its own name`);
  }
  const expect = (tc?.expect ?? {}) as unknown as Record<string, unknown>;
  if (typeof tc?.expect !== 'object' || tc.expect === null) {
    out.push('expect is missing: write expect: { none: true } or expect: { count: …, entities: […], amount: "…" }');
  } else {
    const unknown = Object.keys(expect).filter((k) => !EXPECT_KEYS.includes(k));
    if (unknown.length) out.push(`expect has unknown key${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}: use ${EXPECT_KEYS.join(', ')}`);
    const others = ['count', 'entities', 'amount'].filter((k) => expect[k] !== undefined);
    if (expect.none === true && others.length) {
      out.push(`expect has none: true together with ${others.join(', ')}: a case either finds nothing or says what it finds`);
    }
    if (expect.none !== true && others.length === 0) {
      out.push('expect says nothing: write none: true, or count / entities / amount');
    }
    if (expect.none !== undefined && typeof expect.none !== 'boolean') out.push('expect.none must be true or false');
    if (expect.count !== undefined && !(Number.isInteger(expect.count) && (expect.count as number) >= 0)) out.push(`expect.count must be a whole number ≥ 0, got ${JSON.stringify(expect.count)}`);
    if (expect.entities !== undefined && !Array.isArray(expect.entities)) out.push('expect.entities must be a list of entity keys');
    if (expect.amount !== undefined && yuanToFen(expect.amount) === null) out.push(`expect.amount must be yuan with at most two decimals, e.g. "6000.00", got ${JSON.stringify(expect.amount)}`);
  }
  if (typeof tc?.tables !== 'object' || tc.tables === null || Object.keys(tc.tables).length === 0) {
    out.push('the case has no tables: give each table the rule reads as CSV text');
  }
  return out;
}

/** An identity number as the loader normalises it (upper-case X, 15 digits upgraded to 18); other keys as written. */
function asLoaded(key: string): string {
  const k = key.trim().replace(/^'/, '');
  if (/^\d{15}$/.test(k)) return upgradeId15(k);
  if (/^\d{17}[\dxX]$/.test(k)) return k.toUpperCase();
  return key;
}

function describe(f: Finding): CaseResult['found']['findings'][number] {
  return { entity: f.entity.key, period: f.period, amount: f.amount === null ? null : formatYuan(f.amount), message: renderTemplate(f.template.en, f.details) };
}

/** Loads a case's tables; returns the tables and the failures their CSV causes. */
function loadCase(loaded: CompiledRule, tc: TestCase, failures: string[], issues: DataIssue[]): Map<string, LoadedTable> {
  const tables = new Map<string, LoadedTable>();
  for (const [name, csv] of Object.entries(tc.tables ?? {})) {
    const source = `${loaded.file}#${tc.name}/${name}`;
    if (typeof csv !== 'string') {
      failures.push(`table ${name}: give its rows as CSV text (a YAML block: ${name}: |)`);
      continue;
    }
    try {
      const { table, report } = loadText(name, csv, source);
      issues.push(...report.issues);
      for (const m of report.mapping) {
        if (m.column === null && m.source.trim() !== '') {
          failures.push(`table ${name}: header "${m.source}" is not a column of ${name} (nor an alias of one); fix the spelling`);
        }
      }
      for (const issue of report.issues) {
        if (issue.level === 'error') {
          const where = issue.line ? `line ${issue.line}${issue.column ? `, column ${issue.column}` : ''}` : 'file';
          failures.push(`table ${name} ${where}: ${issue.reason}${issue.value !== undefined ? ` (value ${JSON.stringify(issue.value)})` : ''}`);
        }
      }
      tables.set(name, table);
    } catch (err) {
      failures.push(`table ${name}: ${(err as Error).message}`);
    }
  }
  return tables;
}

/** Compares what was found with what the case expects. */
function compare(tc: TestCase, findings: Finding[], failures: string[]): void {
  const e = tc.expect;
  const keys = findings.map((f) => f.entity.key);
  if (e.none === true && findings.length > 0) failures.push(`expected no findings, found ${findings.length}`);
  if (e.count !== undefined && findings.length !== e.count) failures.push(`expected count ${e.count}, found ${findings.length}`);
  if (Array.isArray(e.entities)) {
    const missing = e.entities.map(String).filter((k) => !keys.includes(k));
    if (missing.length) {
      failures.push(`expected entities ${missing.join(', ')} among the findings, found ${keys.length ? keys.join(', ') : 'none'}`);
      for (const k of missing) {
        const loaded = asLoaded(k);
        if (loaded !== k && keys.includes(loaded)) failures.push(`entity keys are compared as loaded: write ${loaded}, not ${k}`);
      }
    }
  }
  if (e.amount !== undefined) {
    const want = yuanToFen(e.amount);
    const got = findings.reduce((s, f) => s + (f.amount ?? 0), 0);
    if (want !== got) failures.push(`expected amount ${formatYuan(want)} yuan in total, found ${formatYuan(got)}`);
  }
}

async function testCase(loaded: CompiledRule, tc: TestCase, index: number, duck: CaseDatabase | null): Promise<CaseResult> {
  const rule = loaded.rule;
  const failures = caseProblems(tc, index, rule.tests.slice(0, index));
  const issues: DataIssue[] = [];
  let findings: Finding[] = [];
  const structural = failures.length > 0;
  if (!structural || (tc?.tables && tc?.expect)) {
    const tables = loadCase(loaded, tc, failures, issues);
    // A case may leave out a reference table (the holiday calendar): it gets the shipped one, as an audit would.
    addReferenceTables(tables, requiredTables([loaded]));
    try {
      const params = tc.params ? { [rule.id]: tc.params } : undefined;
      const result = await runRules([loaded], new MemoryDataset(tables), { params });
      for (const s of result.skipped) failures.push(`the rule did not run (${s.code}): ${s.reason}`);
      findings = result.findings;
      if (!result.skipped.length && !structural) compare(tc, findings, failures);
      if (duck && !structural) {
        const other = await duck.run(loaded, tables, params);
        for (const s of other.skipped) if (!result.skipped.length) failures.push(`the engines disagree: DuckDB did not run the rule (${s.code}): ${s.reason}`);
        if (!result.skipped.length && !other.skipped.length) {
          for (const d of compareRuns({ name: 'Arquero', findings }, { name: 'DuckDB', findings: other.findings })) failures.push(`the engines disagree: ${d}`);
        }
      }
    } catch (err) {
      const fix = (err as { fix?: string }).fix;
      failures.push(`the case's params: ${(err as Error).message}${fix ? ` (${fix})` : ''}`);
    }
  }
  const total = findings.reduce((s, f) => s + (f.amount ?? 0), 0);
  return {
    ruleId: rule.id,
    file: loaded.file,
    case: typeof tc?.name === 'string' ? tc.name : `#${index + 1}`,
    index,
    passed: failures.length === 0,
    failures,
    found: {
      count: findings.length,
      entities: findings.map((f) => f.entity.key),
      amount: findings.some((f) => f.amount !== null) ? formatYuan(total) : null,
      findings: findings.map(describe),
    },
    issues,
  };
}

/**
 * Runs every inline case of every rule, on both executors unless `engines` says the reference alone. Never
 * throws for a bad case: it fails.
 */
export async function testRules(rules: CompiledRule[], engines: TestEngines = 'both'): Promise<TestReport> {
  const duck = engines === 'both' ? new CaseDatabase() : null;
  try {
    return await testAll(rules, duck);
  } finally {
    await duck?.close();
  }
}

async function testAll(rules: CompiledRule[], duck: CaseDatabase | null): Promise<TestReport> {
  const results: CaseResult[] = [];
  const problems: RuleTestProblem[] = [];
  for (const loaded of rules) {
    const tests = Array.isArray(loaded.rule.tests) ? loaded.rule.tests : [];
    if (tests.length === 0) {
      problems.push({ ruleId: loaded.rule.id, file: loaded.file, message: 'has no test cases: add one case that must fire and one that must not' });
    }
    for (const [i, tc] of tests.entries()) {
      try {
        results.push(await testCase(loaded, tc, i, duck));
      } catch (err) {
        // One malformed case must not stop the others.
        results.push({
          ruleId: loaded.rule.id,
          file: loaded.file,
          case: typeof tc?.name === 'string' ? tc.name : `#${i + 1}`,
          index: i,
          passed: false,
          failures: [`the case could not be run: ${err instanceof Error ? err.message : String(err)}`],
          found: { count: 0, entities: [], amount: null, findings: [] },
          issues: [],
        });
      }
    }
  }
  const passed = results.filter((r) => r.passed).length;
  return { results, problems, passed, failed: results.length - passed };
}
