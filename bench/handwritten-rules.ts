/**
 * The hand-written floor of the heavy rules: for each, the least DuckDB SQL that answers the same question as
 * the rule with its default params, over the tool's OWN loaded tables (after loadIntoDuckDB: the same tables and
 * types), returning the findings' keys and amounts but no evidence rows and no masking — as bench/handwritten.ts
 * mirrors the two reference checks over its own load. bench/rules-floor.ts times them against the tool.
 *
 * Each query is written from the rule's YAML and docs/rules.md (nulls, ties, the lawful look-alikes it leaves out),
 * as someone who knows DuckDB would write it for these tables; where the rule language's own semantics cost
 * something a hand-writer would not pay (its text normalisation before `contains_any`, JavaScript's trim), the
 * plain SQL form is used, and rules-floor's comparison of the findings says whether it changes anything on the
 * county at hand.
 */
import { HANDWRITTEN_CHECKS } from './handwritten.js';

/** A 'YYYY-MM' month's index (year × 12 + month), from its text. */
const month = (m: string) => `(CAST(left(${m}, 4) AS INTEGER) * 12 + CAST(substr(${m}, 6, 2) AS INTEGER))`;
/** A date's month index. */
const dmonth = (d: string) => `(year(${d}) * 12 + month(${d}))`;
/** "contains any of these words", as a regular expression over the raw text (no normalisation). */
const anyOf = (col: string, words: string[]) => `regexp_matches(coalesce(${col}, ''), '${words.join('|')}')`;

const NON_PENSION = ['丧葬', '丧抚', '抚恤', '遗属', '供养', '个人账户', '一次性', '病残津贴', '高龄', '补助', '补贴'];
const PENSION_ROWS = `status = '成功' AND id_number IS NOT NULL AND period IS NOT NULL AND scheme IN ('110', '120', '170') AND NOT ${anyOf('item', NON_PENSION)}`;
/** People counted as the rule language's distinct does: a null identity number is one more. */
const people = `count(DISTINCT id_number) + CAST(count(*) > count(id_number) AS INTEGER)`;
/** An operator's batch runs: one operator and time stamp (to the second, not a bare date) for three people or more. */
const STAMPS = `
      SELECT operator_id, op_time FROM payouts
      WHERE operator_id IS NOT NULL AND op_time IS NOT NULL AND CAST(op_time AS TIME) <> TIME '00:00:00'
      GROUP BY operator_id, op_time HAVING ${people} >= 3`;

/** Each query returns `key` (the finding's entity key; a receipt gap's series, '|', its first number) and `amount` (fen or null). */
export const HANDWRITTEN_RULES: Record<string, string> = {
  'NO-CERTIFICATION': `
    WITH p AS (
      SELECT id_number, period, sum(amount) AS amount, max(pay_date) AS paid_on
      FROM payouts WHERE ${PENSION_ROWS} GROUP BY id_number, period),
    b AS (SELECT id_number, min(period) AS first_paid, max(period) AS last_paid FROM p GROUP BY id_number),
    e AS (
      SELECT p.*, b.first_paid, b.last_paid, (SELECT max(period) FROM p) AS data_last
      FROM p JOIN b USING (id_number) WHERE ${month('p.period')} - ${month('b.first_paid')} > 12),
    c AS (SELECT id_number, cert_date, strftime(cert_date, '%Y-%m') AS cert_month FROM certifications WHERE id_number IS NOT NULL AND cert_date IS NOT NULL),
    x AS (
      SELECT e.id_number, e.period, any_value(e.amount) AS amount, any_value(e.first_paid) AS first_paid,
        any_value(e.last_paid) AS last_paid, any_value(e.data_last) AS data_last,
        max(c.cert_date) FILTER (WHERE c.cert_month <= e.period) AS last_cert,
        bool_or(c.cert_month >= e.period AND (year(c.cert_date) = CAST(left(e.period, 4) AS INTEGER) OR c.cert_date <= e.paid_on)) AS later
      FROM e LEFT JOIN c USING (id_number) GROUP BY e.id_number, e.period),
    y AS (
      SELECT *, CASE WHEN strftime(last_cert, '%Y-%m') > first_paid THEN strftime(last_cert, '%Y-%m') ELSE first_paid END AS since
      FROM x WHERE later IS NOT TRUE)
    SELECT id_number AS key, sum(amount) AS amount FROM y
    WHERE ${month('period')} - ${month('since')} > 12 AND NOT (last_paid < data_last AND left(period, 4) = left(last_paid, 4))
    GROUP BY id_number`,

  'BENFORD-BY-OPERATOR': `
    WITH stamps AS (${STAMPS}),
    regular AS (
      SELECT DISTINCT p.id_number, p.item, p.amount FROM payouts p SEMI JOIN stamps s ON p.operator_id = s.operator_id AND p.op_time = s.op_time
      WHERE p.id_number IS NOT NULL),
    standard AS (
      SELECT item, amount FROM payouts WHERE item IS NOT NULL AND amount IS NOT NULL AND id_number IS NOT NULL
      GROUP BY item, amount HAVING count(DISTINCT id_number) >= 3),
    d AS (
      SELECT p.operator_id, CAST(left(CAST(p.amount AS VARCHAR), 1) AS INTEGER) AS digit, count(*) AS n
      FROM payouts p
        ANTI JOIN stamps s ON p.operator_id = s.operator_id AND p.op_time = s.op_time
        ANTI JOIN regular r ON p.id_number = r.id_number AND p.item = r.item AND p.amount = r.amount
        ANTI JOIN standard t ON p.item = t.item AND p.amount = t.amount
      WHERE p.status = '成功' AND p.operator_id IS NOT NULL AND p.amount >= 1000
        AND upper(trim(p.operator_id)) NOT IN ('SYSTEM', 'SYS', 'AUTO', 'BATCH', 'ADMIN_BATCH', '系统', '批量', '系统自动', '批处理')
      GROUP BY p.operator_id, digit)
    -- MAD over the nine digits: a digit no amount starts with counts its whole expected share (1 − the others').
    SELECT operator_id AS key, CAST(NULL AS BIGINT) AS amount FROM (
      SELECT operator_id, sum(n) OVER (PARTITION BY operator_id) AS total, n, digit FROM d)
    GROUP BY operator_id
    HAVING any_value(total) >= 300 AND (1 + sum(abs(n / total - log10(1 + 1 / digit)) - log10(1 + 1 / digit))) / 9 > 0.015`,

  'BACKPAY-AFTER-ACCOUNT-CHANGE': `
    WITH ok AS NOT MATERIALIZED (SELECT * FROM payouts WHERE status = '成功' AND id_number IS NOT NULL AND pay_date IS NOT NULL),
    acct AS (SELECT id_number, bank_account, min(pay_date) AS account_since FROM ok WHERE bank_account IS NOT NULL GROUP BY id_number, bank_account),
    fp AS (SELECT id_number, min(pay_date) AS first_paid FROM ok WHERE bank_account IS NOT NULL GROUP BY id_number),
    ih AS (
      SELECT id_number, item, min(pay_date) AS item_first_paid, count(DISTINCT period) AS item_periods
      FROM ok WHERE period IS NOT NULL AND item IS NOT NULL GROUP BY id_number, item),
    bad AS (SELECT DISTINCT id_number, item, period FROM payouts WHERE status IN ('退回', '失败') AND id_number IS NOT NULL AND period IS NOT NULL AND item IS NOT NULL)
    SELECT p.id_number AS key, sum(p.amount) AS amount
    FROM ok p JOIN acct a USING (id_number, bank_account) JOIN fp USING (id_number) JOIN ih USING (id_number, item)
      ANTI JOIN bad x ON p.id_number = x.id_number AND p.item = x.item AND p.period = x.period
    WHERE p.bank_account IS NOT NULL AND p.period IS NOT NULL AND p.item IS NOT NULL
      AND NOT ${anyOf('p.item', ['丧葬', '丧抚', '抚恤', '遗属', '供养', '一次性', '个人账户'])}
      AND ${dmonth('p.pay_date')} - ${month('p.period')} >= 2
      AND a.account_since > fp.first_paid AND ih.item_first_paid < a.account_since AND ih.item_periods >= 3
      AND p.pay_date - a.account_since <= 60
    GROUP BY p.id_number, p.name, p.bank_account, a.account_since
    HAVING sum(p.amount) >= 1000000`,

  'DUPLICATE-PAYOUT': `SELECT id_number AS key, excess AS amount FROM (${HANDWRITTEN_CHECKS['DUPLICATE-PAYOUT']})`,

  'RECEIPT-NUMBER-GAPS': `
    WITH r0 AS (
      SELECT receipt_no AS n, operator_id, coalesce(op_time, received_date) AS written, regexp_extract(receipt_no, '[^0-9]*$') AS suffix
      FROM contributions WHERE receipt_no IS NOT NULL),
    r1 AS (SELECT *, regexp_extract(left(n, length(n) - length(suffix)), '[0-9]*$') AS run, left(n, length(n) - length(suffix)) AS body FROM r0),
    r2 AS (
      SELECT operator_id, written, suffix, left(body, length(body) - length(run)) AS prefix, run,
        length(run) >= 6 AND (starts_with(run, '199') OR starts_with(run, '20')) AS dated FROM r1),
    r3 AS (
      SELECT operator_id, written, suffix,
        CASE WHEN dated THEN prefix || left(run, 4) ELSE prefix END AS head,
        TRY_CAST(CASE WHEN dated THEN substr(run, 5) ELSE nullif(run, '') END AS BIGINT) AS seq FROM r2),
    r AS (
      SELECT operator_id, seq,
        CASE WHEN regexp_matches(head, '(^|[^0-9])(199[0-9]|20[0-9][0-9])([^0-9]|$)') OR written IS NULL THEN head || '#' || suffix
          ELSE head || '#' || suffix || '@' || year(written) END AS series
      FROM r3 WHERE seq IS NOT NULL AND seq <= 9007199254740991),
    ranges AS (SELECT series, operator_id, min(seq) AS lo, max(seq) AS hi FROM r WHERE operator_id IS NOT NULL GROUP BY series, operator_id),
    shared AS (
      SELECT DISTINCT a.series FROM ranges a JOIN ranges b ON a.series = b.series AND a.operator_id <> b.operator_id AND a.lo <= b.hi AND b.lo <= a.hi),
    s AS (
      SELECT CASE WHEN (series = '#' OR starts_with(series, '#@') OR (length(series) = 5 AND ends_with(series, '#') AND (starts_with(series, '19') OR starts_with(series, '20'))))
          AND operator_id IS NOT NULL AND series NOT IN (SELECT series FROM shared) THEN series || ' ' || operator_id ELSE series END AS series, seq
      FROM r),
    g AS (SELECT series, seq, lag(seq) OVER (PARTITION BY series ORDER BY seq) AS prev FROM s)
    SELECT series || '|' || (prev + 1) AS key, CAST(NULL AS BIGINT) AS amount FROM g WHERE seq - prev - 1 >= 1`,

  'PENSION-BELOW-STATUTORY-AGE': `
    WITH per AS (
      SELECT id_number, max(gender) AS recorded_gender, max(birth_date) AS recorded_birth,
        max(CASE WHEN ${anyOf('retire_type', ['提前', '因病', '病退', '特殊工种'])} THEN 1 ELSE 0 END) AS early
      FROM persons WHERE id_number IS NOT NULL GROUP BY id_number),
    p AS (
      SELECT p.id_number, p.period, p.amount, p.scheme, per.recorded_birth, per.early,
        CASE WHEN regexp_full_match(u, '[0-9]{17}[0-9X]') THEN CAST(try_strptime(substr(u, 7, 8), '%Y%m%d') AS DATE)
          WHEN regexp_full_match(u, '[0-9]{15}') THEN CAST(try_strptime('19' || substr(u, 7, 6), '%Y%m%d') AS DATE) END AS id_birth,
        coalesce(CASE WHEN regexp_full_match(u, '[0-9]{17}[0-9X]') THEN CASE WHEN (ascii(substr(u, 17, 1)) - 48) % 2 = 1 THEN '男' ELSE '女' END
          WHEN regexp_full_match(u, '[0-9]{15}') THEN CASE WHEN (ascii(substr(u, 15, 1)) - 48) % 2 = 1 THEN '男' ELSE '女' END END, per.recorded_gender) AS sex,
        last_day(CAST(p.period || '-01' AS DATE)) AS month_end
      FROM (SELECT *, upper(id_number) AS u FROM payouts WHERE ${PENSION_ROWS}) p LEFT JOIN per USING (id_number)),
    q AS (
      SELECT *, CASE WHEN id_birth IS NULL THEN recorded_birth
          WHEN recorded_birth < id_birth AND ${dmonth('id_birth')} - ${dmonth('recorded_birth')} <= 2 THEN recorded_birth ELSE id_birth END AS birth
      FROM p),
    a AS (
      SELECT *, year(month_end) - year(birth) - CAST(month(month_end) < month(birth) OR (month(month_end) = month(birth) AND day(month_end) < day(birth)) AS INTEGER) AS age,
        CASE WHEN early = 1 AND scheme <> '170' THEN CASE sex WHEN '男' THEN 50 WHEN '女' THEN 45 END
          WHEN scheme = '170' THEN 60 WHEN sex = '男' THEN 60 WHEN sex = '女' THEN 50 END AS required_age
      FROM q)
    SELECT id_number AS key, sum(amount) AS amount FROM a WHERE age < required_age GROUP BY id_number`,

  'SPLIT-BELOW-THRESHOLD': `
    SELECT id_number AS key, sum(amount) AS amount FROM payouts
    WHERE status = '成功' AND id_number IS NOT NULL AND amount < 1000000 AND amount >= 100000 AND pay_date IS NOT NULL
    GROUP BY id_number, name, pay_date, item, period HAVING count(*) >= 2 AND sum(amount) >= 1000000`,

  'OPERATOR-OUTLIER-SHARE': `
    WITH stamps AS (${STAMPS}),
    base AS (
      SELECT p.operator_id, coalesce(p.scheme, '') AS fund, p.amount, ${dmonth('p.pay_date')} - ${month('p.period')} >= 3 AS backpay
      FROM payouts p ANTI JOIN stamps s ON p.operator_id = s.operator_id AND p.op_time = s.op_time
      WHERE p.status = '成功' AND p.operator_id IS NOT NULL AND p.period IS NOT NULL AND p.pay_date IS NOT NULL
        AND upper(trim(p.operator_id)) NOT IN ('SYSTEM', 'AUTO', 'BATCH', '系统', '批量')),
    per AS (
      SELECT fund, operator_id, count(*) FILTER (WHERE backpay) AS backpays, sum(amount) FILTER (WHERE backpay) AS backpay_amount,
        count(*) FILTER (WHERE NOT backpay) AS handled
      FROM base GROUP BY fund, operator_id),
    tot AS (
      SELECT *, sum(handled) OVER w AS all_handled, sum(backpays) OVER w AS all_backpays, count(*) OVER w AS operators
      FROM per WINDOW w AS (PARTITION BY fund)),
    s AS (SELECT *, backpays / all_backpays AS bs, CASE WHEN all_handled > 0 THEN handled / all_handled ELSE 0 END AS hs FROM tot WHERE backpays > 0)
    SELECT operator_id AS key, backpay_amount AS amount FROM s
    WHERE operators >= 3 AND backpays >= 5 AND bs >= 0.5 AND (CASE WHEN hs > 0 THEN bs / hs ELSE backpays END) >= 1.5
      AND backpays - all_backpays * hs >= 2.5 * sqrt(all_backpays * hs * (1 - hs))`,
};

