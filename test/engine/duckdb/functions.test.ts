/**
 * Each domain function's SQL gives what its JavaScript gives, on the same
 * values: every argument in every form a rule can hand it (a text, a DATE, a
 * TIMESTAMP, a month, an integer, a float, a boolean, null), including blank,
 * malformed and impossible dates, identity numbers of 15 and 18 digits right
 * and wrong, and numbers as text. Arguments are bound as typed params.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIGINT, BOOLEAN, DOUBLE, LIST, listValue, VARCHAR, type DuckDBType, type DuckDBValue } from '@duckdb/node-api';
import { AuditDatabase } from '../../../src/engine/duckdb/database.js';
import { DOMAIN_SQL, type Once, type SqlExpr, type SqlKind } from '../../../src/engine/duckdb/functions.js';
import { plainValue } from '../../../src/engine/duckdb/read.js';
import { DOMAIN_FUNCTIONS } from '../../../src/engine/functions/index.js';
import { idCheckDigit } from '../../../src/data/types/id.js';
import { externalJson } from '../../external.js';

let db: AuditDatabase;
beforeAll(async () => {
  db = await AuditDatabase.open({ memoryBytes: 256 << 20, threads: 1, maxTempBytes: 256 << 20 });
});
afterAll(() => db?.close());

interface Arg {
  kind: SqlKind;
  value: unknown;
}
const of = (kind: SqlKind) => (...values: unknown[]): Arg[] => values.map((value) => ({ kind, value }));
const text = of('text');
const date = of('date');
const datetime = of('datetime');
const month = of('month');
const int = of('int');
const float = of('float');
const NULLS: Arg[] = [{ kind: 'null', value: null }, { kind: 'text', value: null }, { kind: 'date', value: null }, { kind: 'int', value: null }];
const BOOLEANS: Arg[] = of('boolean')(true, false);

/** An 18-digit number with the right check digit; `bad` makes it wrong. */
function id18(first17: string, bad = false): string {
  const check = idCheckDigit(first17);
  return first17 + (bad ? (check === '0' ? '1' : '0') : check);
}
const { vectors } = externalJson<{ vectors: Array<{ number: string }> }>({ vectors: [] }, 'idcard', 'vectors.json');

const DAY_TEXTS = text(
  '2024-01-31', '2024-02-29', '2023-02-29', '2024-04-31', '2024-13-01', '2024-00-10', '2024-01-00', '2024-01', '2024-12', '2024-00', '2024-13',
  '2024-1-5', '20240105', '2024/01/05', '2024-01-05 14:03:00', '2024-01-05T23:59', '2024-01-05 23:59:59', '2024-01-05 24:00:00', '2024-01-05 23:60',
  '2024-01-05 23:59:60', '2024-01-05 9:03', ' 2024-01-05', '2024-01-05 ', '', 'abc', '0000-01-01', '0001-01-01', '0999-12-31', '9999-12-31',
  '1900-02-29', '2000-02-29', '２０２４-01-05', '1970-01-01', '1969-12-31 23:00:00', '2024-03-31', '2024-08-31',
);
const DATES = date('2024-01-31', '2024-02-29', '1000-01-01', '9999-12-31', '1970-01-01', '1969-12-31', '2023-03-01', '2024-12-31', '1949-10-01');
const DATETIMES = datetime('2024-01-05 00:00:00', '2024-01-06 23:59:59', '1999-12-31 12:00:00', '2024-02-29 08:30:00', '2024-01-08 17:59:59', '1000-01-01 09:00:00');
const MONTHS = month('2024-01', '2024-02', '2024-12', '1000-01', '9999-12', '2023-02');
const DAYS: Arg[] = [...DAY_TEXTS, ...DATES, ...DATETIMES, ...MONTHS];

const COUNTS: Arg[] = [
  ...int(0, 1, -1, 11, 12, -13, 25, 240001, -240001, 1_000_000_000, 9007199254740991, 4000001),
  ...float(0, 1.5, -2, 12, 1e300, NaN, Infinity),
  ...text('3', ' -2 ', '+1', '1.0', '12a', '', '１'),
  ...BOOLEANS,
];

const IDS: Arg[] = text(
  id18('11010519491231002'), id18('11010519491231002').toLowerCase().replace('X', 'x'), id18('11010519491231002', true),
  id18('51050219560312301'), id18('51050219560312301', true), id18('52032329780605885'), id18('52032317990101001'), id18('52032318000101001'),
  id18('52032309990101001'), id18('52032300000101001'), id18('52032319990230001'), id18('52032320240229002'),
  '510502560312301', '510502561312301', '510502560230302', '11010519491231002', '1101051949123100211', '11010519491231002Y',
  '１１０１０５１９４９１２３１００２１', ' 110105194912310021', '', 'not an id', id18('11010519491231002').slice(0, 17) + 'X',
  ...vectors.slice(0, 40).map((v) => v.number),
);

const NUMBERS: Arg[] = [
  ...int(0, 1, -1, 5, 12345, -987654, 100000, 300000, 9007199254740991, 123456789012),
  ...float(0.5, 1.5, -1.5, 12, 123.45, 0.00012, 1e21, 1.2e20, 1.5e-7, 0.1 + 0.2, 1e16, 5, NaN, Infinity, -Infinity, 100.5),
  ...text('123.45', ' 1e3 ', '0x1A', '1_000', '.5', '5.', '+5', '-0', 'Infinity', '', 'abc', '00123', 'PJ2024-000123', '12abc', '9007199254740993',
    '9007199254740991', '１２３', 'PJ00010001', '2024000123', '0'),
  ...BOOLEANS,
];

const RECEIPTS: Arg[] = text(
  'LX01-2024-000123', '2024000123', 'PJ00010001', '000123', '123', 'PJ2024-000123ab', 'ｐｊ　２０２４-０００１２３', 'no digits', '', '20240001',
  '99999999999999999999', 'A1B2C3', '（2023）12号', '1999123456', '2100123456', 'lx-2024-7', ' 12 ', 'x-2024',
  'A1B2C3D', '12号3', '2024', '20240', '199012', '①②3', 'AB１２号', '7', '-',
  // Digits only ASCII ones (not Arabic-Indic), after letters of several bytes.
  '١٢3', 'é123', '号1号2024000123', 'ÅB99',
);

const SQL_TYPES: Partial<Record<SqlKind, { type: DuckDBType; cast?: string }>> = {
  text: { type: VARCHAR },
  month: { type: VARCHAR },
  date: { type: VARCHAR, cast: 'DATE' },
  datetime: { type: VARCHAR, cast: 'TIMESTAMP' },
  int: { type: BIGINT },
  float: { type: DOUBLE },
  boolean: { type: BOOLEAN },
  list: { type: LIST(VARCHAR) },
};

/**
 * The SQL results of `fn` on each argument list (all of the same kinds), read back as the JavaScript values
 * they stand for: one query, its rows made of typed params.
 */
async function viaSql(fn: string, rows: Arg[][]): Promise<unknown[]> {
  const kinds = rows[0].map((a) => a.kind);
  const values: Record<string, DuckDBValue> = {};
  const types: Record<string, DuckDBType> = {};
  const tuples = rows.map((args, r) =>
    '(' + [r, ...args.map((a, i) => {
      if (a.kind === 'null') return 'NULL';
      const t = SQL_TYPES[a.kind]!;
      values[`r${r}a${i}`] = a.kind === 'list' ? listValue(a.value as string[]) : (a.value as DuckDBValue);
      types[`r${r}a${i}`] = t.type;
      return t.cast ? `CAST($r${r}a${i} AS ${t.cast})` : `$r${r}a${i}`;
    })].join(', ') + ')',
  );
  const names = kinds.map((_, i) => `a${i}`);
  // As the compiler does: a value used more than once is computed once, in a step of its own.
  const lets: string[] = [];
  const once: Once = (e) => {
    if (/^(a\d+|\d+)$/.test(e.sql)) return e;
    lets.push(e.sql);
    return { sql: `l${lets.length}`, kind: e.kind };
  };
  const out = DOMAIN_SQL[fn](kinds.map((kind, i) => ({ sql: names[i], kind }) satisfies SqlExpr), once);
  const select = out.kind === 'date' || out.kind === 'datetime' ? `CAST(${out.sql} AS VARCHAR)` : out.sql;
  const steps = [`t0 AS (SELECT * FROM (VALUES ${tuples.join(', ')}) AS v(r, ${names.join(', ')}))`, ...lets.map((l, k) => `t${k + 1} AS (SELECT *, ${l} AS l${k + 1} FROM t${k})`)];
  const reader = await db.connection.runAndReadAll(`WITH ${steps.join(', ')} SELECT r, ${select} FROM t${lets.length} ORDER BY r`, values, types);
  return reader.getRows().map((row) => plainValue(row[1]));
}

/** Every combination of the argument lists. */
function combos(lists: Arg[][]): Arg[][] {
  return lists.reduce<Arg[][]>((acc, list) => acc.flatMap((prefix) => list.map((a) => [...prefix, a])), [[]]);
}

async function expectSame(fn: string, lists: Arg[][]): Promise<number> {
  const js = DOMAIN_FUNCTIONS[fn] as (...args: unknown[]) => unknown;
  const differences: string[] = [];
  const all = combos(lists);
  const byKinds = new Map<string, Arg[][]>();
  for (const args of all) {
    const key = args.map((a) => a.kind).join(',');
    byKinds.set(key, [...(byKinds.get(key) ?? []), args]);
  }
  for (const rows of byKinds.values()) {
    const got = await viaSql(fn, rows);
    rows.forEach((args, k) => {
      const want = js(...args.map((a) => a.value)) ?? null;
      if (!Object.is(got[k], want)) {
        differences.push(`${fn}(${args.map((a) => `${a.kind} ${JSON.stringify(a.value)}`).join(', ')}): SQL ${JSON.stringify(got[k])}, JavaScript ${JSON.stringify(want)}`);
      }
    });
  }
  expect(differences).toEqual([]);
  return all.length;
}

describe('domain functions in SQL mean what they mean in JavaScript', () => {
  it.each(['id_valid', 'id_checksum_ok', 'id_birth_date', 'id_gender'])('%s', async (fn) => {
    expect(await expectSame(fn, [[...IDS, ...NULLS, ...DATES.slice(0, 2), ...int(110105194912310020), ...BOOLEANS]])).toBeGreaterThan(30);
  });

  it.each(['month_of', 'year_of', 'weekday', 'hour_of'])('%s', async (fn) => {
    await expectSame(fn, [[...DAYS, ...NULLS, ...int(20240105), ...BOOLEANS]]);
  });

  it.each(['age_on', 'months_between', 'days_between'])('%s', async (fn) => {
    const some = [...DAY_TEXTS.filter((_, i) => i % 3 === 0), ...DATES, ...DATETIMES.slice(0, 3), ...MONTHS.slice(0, 3), NULLS[0], NULLS[2], ...int(5)];
    await expectSame(fn, [some, some]);
  });

  it.each(['add_months', 'add_days'])('%s', async (fn) => {
    await expectSame(fn, [[...DAYS, NULLS[0], NULLS[1]], COUNTS]);
  });

  it.each(['first_digit', 'first_two_digits', 'seq_number'])('%s', async (fn) => {
    await expectSame(fn, [[...NUMBERS, ...NULLS, ...DATES.slice(0, 1), ...MONTHS.slice(0, 1)]]);
  });

  it('first digits of many amounts, in fen and in yuan', async () => {
    const amounts: Arg[] = [];
    for (let i = 1; i < 400; i++) {
      const fen = Math.round(Math.exp(i / 19) * 7.3) * (i % 7 === 0 ? -1 : 1);
      amounts.push(...int(fen), ...float(fen / 100, fen / 3));
    }
    await expectSame('first_digit', [amounts]);
    await expectSame('first_two_digits', [amounts]);
  });

  it('is_round_amount', async () => {
    await expectSame('is_round_amount', [
      [...int(0, 100000, 300000, 12345, -500000, 100001), ...float(1000, 1000.5, NaN, Infinity), ...text('100000'), NULLS[0], NULLS[3]],
      [...int(100000, 1, 0, -100), ...float(100000, 0.5, NaN, Infinity), ...text('100000'), NULLS[0], NULLS[3]],
    ]);
  });

  it('is_working_time', async () => {
    await expectSame('is_working_time', [
      [...DATETIMES, ...text('2024-01-05 09:00:00', '2024-01-06 10:00', '2024-01-05 08:59:59', '2024-01-05 18:00:00', '2024-01-05', 'x'), ...DATES.slice(0, 2), NULLS[0]],
      [...int(9, 8), ...float(8.5, NaN), ...text('9'), NULLS[0]],
      [...int(18, 17), ...float(17.5, NaN), ...text('18'), NULLS[3]],
    ]);
  });

  it('statutory_retire_age', async () => {
    const gender = [...text('男', '女', '1', ''), NULLS[0], NULLS[1], ...int(1)];
    const scheme = [...text('170', '110', ' 170'), ...int(170), NULLS[0]];
    const job = [...text('干部', '工人'), NULLS[1], ...int(1)];
    await expectSame('statutory_retire_age', [gender, scheme, job]);
  });

  it.each(['text_key', 'receipt_counter'])('%s', async (fn) => {
    await expectSame(fn, [[...RECEIPTS, ...NULLS, ...DATES.slice(0, 1), ...MONTHS.slice(0, 1), ...int(123, -5, 9007199254740991), ...float(12, 12.5), ...BOOLEANS]]);
  });

  it('receipt_series', async () => {
    await expectSame('receipt_series', [[...RECEIPTS, NULLS[0], ...int(2024000123, 77)], [...DATES.slice(0, 2), ...text('2023-05', 'x'), NULLS[0], ...MONTHS.slice(0, 1)]]);
  });

  it('contains_any', async () => {
    const lists: Arg[] = [
      { kind: 'list', value: ['抚恤', '代发'] },
      { kind: 'list', value: ['', 'ＡＢＣ'] },
      { kind: 'list', value: [] },
      { kind: 'list', value: ['（2019）', 'x'] },
      ...NULLS.slice(0, 2),
      ...text('抚恤'),
    ];
    const texts = [...text('一次性抚恤金', ' 批量代发 养老金', '泸人社发〔2019〕12号', 'abc def', '', '阿依古丽·买买提'), ...NULLS.slice(0, 2), ...int(2019), ...DATES.slice(0, 1)];
    await expectSame('contains_any', [texts, lists]);
  });

  it('weekdays_between', async () => {
    const some = [...DAY_TEXTS.filter((_, i) => i % 4 === 0), ...DATES, ...DATETIMES.slice(0, 2), ...MONTHS.slice(0, 2), NULLS[0], ...int(5)];
    await expectSame('weekdays_between', [some, some]);
  });

  it('every domain function has its SQL', () => {
    expect(Object.keys(DOMAIN_SQL).sort()).toEqual(Object.keys(DOMAIN_FUNCTIONS).sort());
  });
});
