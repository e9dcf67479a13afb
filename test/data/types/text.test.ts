import { describe, expect, it } from 'vitest';
import { parseIdentifier, parserFor, parseText, Problem } from '../../../src/data/types/index.js';
import { columnDef, TABLES } from '../../../src/data/tables.js';

describe('parseText', () => {
  it('trims ASCII, ideographic and no-break spaces, keeps the rest as written', () => {
    expect(parseText('  张三 ')).toBe('张三');
    expect(parseText('\u3000张 三\u00a0')).toBe('张 三');
    expect(parseText('ＡＢＣ１２３')).toBe('ＡＢＣ１２３');
    expect(parseText("'0012")).toBe("'0012");
  });
  it('blank → null', () => {
    expect(parseText('')).toBeNull();
    expect(parseText(' \t\u3000')).toBeNull();
  });
});

describe('identifier text columns', () => {
  it('are flagged in tables.ts', () => {
    const flagged = new Set(TABLES.flatMap((t) => t.columns.filter((c) => c.identifier).map((c) => c.name)));
    for (const name of ['bank_account', 'account_no', 'counterparty_account', 'phone', 'credit_code', 'person_id', 'employer_id', 'receipt_no', 'payout_id', 'record_id', 'txn_id', 'staff_id', 'voucher_no']) {
      expect(flagged.has(name), name).toBe(true);
    }
    expect(columnDef('persons', 'name')?.identifier).toBeUndefined();
    expect(columnDef('employers', 'bank_account')?.identifier).toBe(true);
  });

  it('lose a leading spreadsheet apostrophe or ="…" wrapper, digits kept exactly', () => {
    expect(parseIdentifier("'6228480012345678901")).toBe('6228480012345678901');
    expect(parseIdentifier("  '0012  ")).toBe('0012');
    expect(parseIdentifier('="000123"')).toBe('000123');
    expect(parseIdentifier('0012')).toBe('0012');
    expect(parseIdentifier('ＡＢ-01')).toBe('ＡＢ-01');
    expect(parseIdentifier("'")).toBeNull();
  });

  it('reject scientific notation (digits are lost)', () => {
    const p = parseIdentifier('6.22848E+18') as Problem;
    expect(p).toBeInstanceOf(Problem);
    expect(p).toMatchObject({ level: 'error', code: 'scientific-notation', kept: null });
    expect(p.reason).toContain('re-export the column as text');
    // Codes that merely contain an E are not numbers.
    expect(parseIdentifier('E12345')).toBe('E12345');
    expect(parseIdentifier('12E45A')).toBe('12E45A');
  });

  it('are what parserFor gives identifier columns, and only them', () => {
    const account = parserFor(columnDef('payouts', 'bank_account')!);
    expect(account("'6228480012345678")).toBe('6228480012345678');
    const name = parserFor(columnDef('payouts', 'name')!);
    expect(name("'张三")).toBe("'张三");
  });
});
