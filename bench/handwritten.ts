/**
 * The yardstick of the scale benchmark: the two reference checks written by
 * hand in DuckDB SQL over the same CSV files — DuckDB's own parallel read_csv,
 * typing only the columns the checks need, as someone would write it for
 * this county's files (the generator's headers and spellings), then one
 * query per check mirroring rules/people/PAID-AFTER-DEATH.yaml and
 * DUPLICATE-PAYOUT.yaml with their default params. It reports no evidence
 * rows, masks nothing and checks nothing: the least work that answers the
 * same question, which is what the tool's 2× budget is measured against.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { join } from 'node:path';

/** '...' with its quotes doubled: the paths are the benchmark's own folders, but a quote must still not end the literal. */
export const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Loads payouts and deaths from `dir` with read_csv, typed as the checks need them. */
export async function handwrittenLoad(connection: DuckDBConnection, dir: string): Promise<void> {
  const csv = (file: string, skip: number) =>
    `read_csv(${literal(join(dir, file))}, skip = ${skip}, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"', ignore_errors = true)`;
  // Identity numbers: a spreadsheet's apostrophe dropped, x upper-cased, a 15-digit legacy number upgraded to 18
  // (century 19 and the MOD 11-2 check digit), as the checks join payouts and deaths on them.
  const digits17 = Array.from({ length: 17 }, (_, i) => `(ascii(s[${i + 1}]) - 48) * ${[7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2][i]}`).join(' + ');
  await connection.run(`CREATE MACRO id17(s) AS s || substr('10X98765432', 1 + CAST((${digits17}) % 11 AS INTEGER), 1)`);
  await connection.run(`CREATE MACRO id18(raw) AS (SELECT CASE WHEN regexp_full_match(v, '[0-9]{15}') THEN id17(substr(v, 1, 6) || '19' || substr(v, 7)) ELSE v END
    FROM (SELECT upper(ltrim(trim(raw), '''')) AS v))`);
  await connection.run(`
    CREATE TABLE payouts AS SELECT
      "个人编号" AS person_id,
      id18("公民身份号码") AS id_number,
      "姓名" AS name,
      "险种类型" AS scheme,
      "待遇项目" AS item,
      strftime(coalesce(try_strptime("待遇年月", '%Y-%m'), try_strptime("待遇年月", '%Y年%m月'), try_strptime("待遇年月", '%Y%m')), '%Y-%m') AS period,
      CAST(round(TRY_CAST(replace(replace("发放金额", '￥', ''), ',', '') AS DECIMAL(18, 2)) * 100) AS BIGINT) AS amount,
      "发放状态" AS status
    FROM ${csv('payouts.csv', 1)}`);
  await connection.run(`
    CREATE TABLE deaths AS SELECT
      id18("身份证号") AS id_number,
      CAST(coalesce(try_strptime("火化时间", '%Y-%m-%d'), try_strptime("火化时间", '%Y年%m月%d日')) AS DATE) AS death_date
    FROM ${csv('deaths.csv', 0)}`);
}

const SURVIVOR_ITEMS = ['丧葬', '抚恤', '遗属', '供养', '个人账户', '一次性', '死亡'];

export const HANDWRITTEN_CHECKS: Record<string, string> = {
  'PAID-AFTER-DEATH': `
    WITH p AS (
      SELECT * FROM payouts WHERE status = '成功' AND id_number IS NOT NULL AND period IS NOT NULL),
    d AS (
      SELECT id_number, min(death_date) AS death_date FROM deaths
      WHERE id_number IS NOT NULL AND death_date IS NOT NULL GROUP BY id_number),
    item_first AS (SELECT id_number, item, min(period) AS item_first FROM p GROUP BY id_number, item),
    any_first AS (SELECT id_number, min(period) AS any_first FROM p GROUP BY id_number),
    x AS (
      SELECT p.*, d.death_date, strftime(d.death_date, '%Y-%m') AS death_month
      FROM p JOIN d USING (id_number)
      WHERE NOT regexp_matches(coalesce(p.item, ''), ${literal(SURVIVOR_ITEMS.join('|'))}))
    SELECT x.id_number, x.death_date, max(x.name) AS name, min(x.period) AS first_period, max(x.period) AS last_period,
      count(DISTINCT x.period) AS months, sum(x.amount) AS total
    FROM x LEFT JOIN item_first USING (id_number, item) LEFT JOIN any_first USING (id_number)
    WHERE x.period > x.death_month AND NOT coalesce(item_first.item_first > x.death_month AND any_first.any_first <= x.death_month, false)
    GROUP BY x.id_number, x.death_date
    HAVING sum(x.amount) > 0`,
  'DUPLICATE-PAYOUT': `
    WITH g AS (
      SELECT id_number, person_id, scheme, item, period, abs(amount) AS paid_amount, max(name) AS name,
        sum(CASE WHEN amount < 0 THEN -1 ELSE 1 END) AS payments
      FROM payouts WHERE status = '成功' AND id_number IS NOT NULL AND period IS NOT NULL AND amount IS NOT NULL AND amount <> 0
      GROUP BY id_number, person_id, scheme, item, period, abs(amount)
      HAVING sum(CASE WHEN amount < 0 THEN -1 ELSE 1 END) >= 2)
    SELECT id_number, scheme, item, max(name) AS name, count(*) AS months, sum(payments) AS payments, min(period) AS first_period,
      max(period) AS last_period, sum(payments * paid_amount) AS paid, sum((payments - 1) * paid_amount) AS excess
    FROM g GROUP BY id_number, scheme, item`,
};
