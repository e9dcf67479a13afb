import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { idCheckDigit, idInfo, parseId, Problem, upgradeId15 } from '../../../src/data/types/index.js';
import { todayFrom } from '../../../src/data/types/id.js';
import { describeExternal, externalJson } from '../../external.js';

interface Vector {
  number: string;
  length: number;
  checksum_ok: boolean | null;
  expected_check_digit: string | null;
  birth_date: string | null;
  gender: 'male' | 'female' | null;
  upgraded_18?: string | null;
}

const { vectors } = externalJson<{ vectors: Vector[] }>({ vectors: [] }, 'idcard', 'vectors.json');
const wellFormed18 = (n: string) => /^\d{17}[\dXx]$/.test(n);
const gender = (g: Vector['gender']) => (g === 'male' ? '男' : g === 'female' ? '女' : null);

describeExternal('identity-number vectors (shared/external/idcard)', () => {
  it('has the vectors', () => expect(vectors.length).toBeGreaterThanOrEqual(70));

  for (const v of vectors) {
    it(`${v.number}: checksum, birth date, gender, validity`, () => {
      const info = idInfo(v.number);
      expect(info.birthDate).toBe(v.birth_date);
      expect(info.gender).toBe(gender(v.gender));
      if (v.checksum_ok !== null) expect(info.checksumOk).toBe(v.checksum_ok);
      // "valid" in the sources differs (address tables, strict modes); ours is check digit + real birth date.
      const expectedValid = /^\d{15}$/.test(v.number) ? v.birth_date !== null : v.checksum_ok === true && v.birth_date !== null;
      expect(info.valid).toBe(expectedValid);
      if (wellFormed18(v.number)) expect(idCheckDigit(v.number.slice(0, 17))).toBe(v.expected_check_digit);
    });

    it(`${v.number}: typed as the loader types it`, () => {
      const got = parseId(v.number);
      const upper = v.number.toUpperCase();
      if (wellFormed18(v.number)) {
        if (v.checksum_ok && v.birth_date !== null) {
          expect(got).toBe(upper);
        } else {
          expect(got).toBeInstanceOf(Problem);
          const p = got as Problem;
          expect(p.level).toBe('warning');
          expect(p.kept).toBe(upper);
          if (!v.checksum_ok) expect(p.reason).toContain(`should end in ${v.expected_check_digit}`);
        }
      } else if (/^\d{15}$/.test(v.number)) {
        expect(upgradeId15(v.number)).toBe(v.upgraded_18);
        if (v.birth_date !== null) {
          expect(got).toBe(v.upgraded_18);
        } else {
          expect(got).toMatchObject({ level: 'warning', code: 'id-birth-date', kept: v.number });
        }
      } else {
        expect(got).toMatchObject({ level: 'error', code: 'id-format', kept: null });
      }
    });
  }
});

describe('parseId normalisation', () => {
  it('upper-cases x, strips apostrophes, spaces and ="…" wrappers, folds full-width', () => {
    expect(parseId('11010519491231002x')).toBe('11010519491231002X');
    expect(parseId("'11010519491231002X")).toBe('11010519491231002X');
    expect(parseId('\u3000 110105 19491231 002X\u00a0')).toBe('11010519491231002X');
    expect(parseId('="11010519491231002X"')).toBe('11010519491231002X');
    expect(parseId('１１０１０５１９４９１２３１００２ｘ')).toBe('11010519491231002X');
  });

  it('upgrades a 15-digit legacy number with a real birth date, also written with an apostrophe', () => {
    expect(parseId("'610104620927690")).toBe('610104196209276908');
  });

  it('rejects scientific notation and says to re-export as text', () => {
    for (const raw of ['1.10101E+17', '1.10101e+17', '4.40308E+17']) {
      const p = parseId(raw) as Problem;
      expect(p).toBeInstanceOf(Problem);
      expect(p).toMatchObject({ level: 'error', code: 'scientific-notation', kept: null });
      expect(p.reason).toMatch(/spreadsheet turned it into a number.*re-export the column as text/);
    }
  });

  it('keeps a number with a wrong check digit, naming the expected one and the spreadsheet rounding', () => {
    const p = parseId('110105194912310000') as Problem;
    expect(p).toMatchObject({ level: 'warning', code: 'id-checksum', kept: '110105194912310000' });
    expect(p.reason).toContain('should end in');
    expect(p.reason).toContain('15 significant digits');
  });

  it('flags a birth date in the future even when the check digit is right', () => {
    const first17 = '11010520990101001';
    const id = first17 + idCheckDigit(first17);
    expect(parseId(id)).toMatchObject({ level: 'warning', code: 'id-birth-date', kept: id });
    expect(idInfo(id).valid).toBe(false);
  });

  it('reads blank as null without a problem', () => {
    expect(parseId('')).toBeNull();
    expect(parseId(' \u3000 ')).toBeNull();
    expect(parseId("'")).toBeNull();
  });

  it('rejects other shapes', () => {
    for (const raw of ['110105-19491231-002X', '11010519491231002', 'ABCDEFGHIJKLMNOPQR', '张三']) {
      expect(parseId(raw)).toMatchObject({ level: 'error', code: 'id-format' });
    }
  });
});

describe('idCheckDigit and upgradeId15', () => {
  it('computes the GB 11643-1999 example check digits', () => {
    expect(idCheckDigit('11010519491231002')).toBe('X');
    expect(idCheckDigit('44052418800101001')).toBe('4');
  });
  it('throws on input that is not digits', () => {
    expect(() => idCheckDigit('1101051949123100')).toThrow();
    expect(() => upgradeId15('61010462092769')).toThrow();
  });
});

describe('the date a birth date must not be after', () => {
  it('is SOURCE_DATE_EPOCH when set, so reproducible runs judge the same on any day', () => {
    const now = new Date(Date.UTC(2030, 5, 1));
    expect(todayFrom('1764115200', now)).toBe(20251126); // 2025-11-26T00:00:00Z
    expect(todayFrom(undefined, now)).toBe(20300601);
    expect(todayFrom('', now)).toBe(20300601);
    expect(todayFrom('not a number', now)).toBe(20300601);
  });
});
