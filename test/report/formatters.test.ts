import { describe, expect, it } from 'vitest';
import { csvCell, formatCsv, neutralise } from '../../src/report/formatters/csv.js';
import { esc, formatHtml } from '../../src/report/formatters/html.js';
import { formatJson } from '../../src/report/formatters/json.js';
import { formatMarkdown, mdEscape } from '../../src/report/formatters/markdown.js';
import { formatTerminal } from '../../src/report/formatters/terminal.js';
import { SCHEMA_VERSION } from '../../src/report/model.js';
import { textWidth } from '../../src/report/width.js';
import { finding, sampleResult } from './sample.js';

const masked = sampleResult({ reveal: false });

describe('terminal', () => {
  const out = formatTerminal(masked, { color: false });

  it('shows inputs, summary, top entities, findings by rule with file:line evidence, skipped rules and data issues', () => {
    expect(out).toContain('输入数据');
    expect(out).toMatch(/数据期间 2023-11 – 2024-02/);
    expect(out).toContain('风险汇总');
    expect(out).toMatch(/清人\s*│\s*冒领骗取\s*│\s*2\s*│\s*6,123\.45/);
    expect(out).toContain('重点对象');
    expect(out).toMatch(/\[高\] PAID-AFTER-DEATH 死亡后继续发放待遇/);
    expect(out).toContain('证据: in/payouts.csv:3, in/payouts.csv:4, in/deaths.csv:2');
    expect(out).toContain('另有 6 条证据');
    expect(out).toContain('PAID-WHILE-IMPRISONED: table prisoners was not loaded');
    expect(out).toContain('in/payouts.csv:5 [发放金额] "abc" not an amount');
    expect(out).toContain('个人信息已脱敏');
  });

  it('fits 100 columns, counting CJK characters as two', () => {
    for (const line of out.split('\n')) expect(textWidth(line), line).toBeLessThanOrEqual(100);
    const long = sampleResult({ reveal: false,
        run: {
          findings: [
            finding({
              fingerprint: 'x',
              ruleId: 'EXPENSE-OUTFLOW-TO-NON-BENEFICIARY',
              title: { zh: '很长的标题'.repeat(12), en: 'A very long title of a rule that goes on and on '.repeat(3) },
              message: { zh: '很长的说明'.repeat(40), en: 'A long message '.repeat(20) },
            }),
          ],
          skipped: [],
          ran: { 'EXPENSE-OUTFLOW-TO-NON-BENEFICIARY': 1 },
          params: {},
        },
      });
    for (const lang of ['zh', 'en'] as const) {
      for (const line of formatTerminal({ ...long, lang }, { color: false }).split('\n')) expect(textWidth(line), line).toBeLessThanOrEqual(100);
    }
  });

  it('has no colour codes unless asked, and colours severities when asked', () => {
    expect(out).not.toMatch(/\u001b\[/);
    expect(formatTerminal(masked, { color: true })).toMatch(/\u001b\[31m\[高\]/);
  });

  it('speaks English with --lang en', () => {
    const en = formatTerminal({ ...masked, lang: 'en' }, { color: false });
    expect(en).toContain('Summary');
    expect(en).toMatch(/People\s*│\s*Fraud/);
    expect(en).toContain('Evidence: in/payouts.csv:3');
  });
});

describe('json', () => {
  it('is the whole result under a versioned schema', () => {
    const doc = JSON.parse(formatJson(masked));
    expect(doc.schemaVersion).toBe(SCHEMA_VERSION);
    expect(Object.keys(doc)).toEqual([
      'schemaVersion', 'tool', 'generatedAt', 'lang', 'revealed', 'manifest', 'inputs', 'summary', 'entities', 'findings', 'skipped', 'dataIssues', 'baseline',
    ]);
    expect(doc.findings[0].evidence[0]).toEqual({ table: 'payouts', file: 'in/payouts.csv', line: 3, values: expect.any(Object) });
  });
});

describe('csv', () => {
  const out = formatCsv(masked);
  const lines = out.split('\r\n');

  it('starts with a BOM, has one row per finding followed by its evidence rows', () => {
    expect(out.startsWith('\uFEFFrecord,fingerprint,')).toBe(true);
    const records = lines.slice(1, -1).map((l) => l.split(',')[0]).filter((r) => r === 'finding' || r === 'evidence');
    expect(records).toEqual(['finding', 'evidence', 'finding', 'evidence', 'evidence', 'evidence', 'finding', 'evidence']);
    const finding = lines.findIndex((l) => l.startsWith('finding,'));
    expect(lines[finding]).toContain(',****3445,');
    expect(lines[finding + 1]).toMatch(/^evidence,fp-shared-account,SHARED-PAYEE-ACCOUNT,.*,payouts,in\/payouts\.csv,3,/);
  });

  it('carries the manifest: a run record first (masked or not), then inputs, rules and params after the findings', () => {
    expect(lines[1]).toMatch(/^run,.*personal_data=masked/);
    const records = lines.slice(1, -1).map((l) => l.split(',')[0]);
    const lastEvidence = records.lastIndexOf('evidence');
    expect(records.slice(lastEvidence + 1).every((r) => r === 'input' || r === 'rule' || r === 'param')).toBe(true);
    for (const f of masked.manifest.files) {
      expect(lines.some((l) => l.startsWith('input,') && l.includes(f.path) && l.includes(`sha256=${f.sha256}`))).toBe(true);
    }
    for (const rule of masked.manifest.rules) {
      expect(lines.some((l) => l.startsWith(`rule,,${rule.id},`) && l.includes(`sha256=${rule.sha256}`))).toBe(true);
    }
    const paramCount = Object.values(masked.manifest.params).reduce((n, p) => n + Object.keys(p).length, 0);
    expect(records.filter((r) => r === 'param')).toHaveLength(paramCount);
  });

  it('neutralises cells that a spreadsheet would run as formulas', () => {
    expect(neutralise('=1+2')).toBe("'=1+2");
    expect(neutralise('+1')).toBe("'+1");
    expect(neutralise('-12.00')).toBe("'-12.00");
    expect(neutralise('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(neutralise('\tx')).toBe("'\tx");
    expect(neutralise('\rx')).toBe("'\rx");
    expect(neutralise('a=b')).toBe('a=b');
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    // The evidence row holding summary=… starts its values cell with a letter, so only cell starts matter.
    for (const line of lines.slice(1)) for (const cell of line.split(',')) expect(cell).not.toMatch(/^[=+\-@]/);
  });
});

describe('markdown', () => {
  const out = formatMarkdown(masked);
  it('escapes markup, tables and HTML in text, keeping snake_case readable', () => {
    expect(mdEscape('a|b *c* <script> _x_ payout_id\nnext')).toBe('a\\|b \\*c\\* &lt;script&gt; \\_x\\_ payout_id next');
  });

  it('has headings, the summary table, findings with evidence and the manifest', () => {
    expect(out).toMatch(/^# 社会保险基金审计风险报告/);
    expect(out).toContain('## 风险汇总');
    expect(out).toContain('| 清人 | 冒领骗取 | 2 | 2 | 6,123.45 |');
    expect(out).toContain('### PAID-AFTER-DEATH 死亡后继续发放待遇');
    expect(out).toContain('| in/payouts.csv:3 | payouts |');
    expect(out).toContain('## 清单');
    expect(out).not.toContain('张三');
  });
});

describe('html', () => {
  const out = formatHtml(masked);
  it('is one self-contained page: inline style and script, an SVG chart, no network', () => {
    expect(out).toMatch(/^<!DOCTYPE html>/);
    expect(out).toContain('<svg id="risk-chart"');
    expect(out).toContain("default-src 'none'");
    expect(out).not.toMatch(/<(link|img|iframe)\b/i);
    expect(out).not.toMatch(/\bsrc=/);
    expect(out).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(out).toContain('class="sortable"');
  });

  it('escapes all text', () => {
    expect(esc('<script>"&\'')).toBe('&#60;script&#62;&#34;&#38;&#39;');
    const evil = formatHtml(
      sampleResult({ reveal: false,
          run: { findings: [finding({ fingerprint: 'e', ruleId: 'R', message: { zh: '<img src=x onerror=alert(1)>', en: '' } })], skipped: [], ran: { R: 1 }, params: {} },
        }),
    );
    expect(evil).not.toContain('<img');
    expect(evil).toContain('&#60;img src=x onerror=alert(1)&#62;');
  });
});

describe('a run without findings', () => {
  const empty = sampleResult({ reveal: false, run: { findings: [], skipped: [], ran: { 'PAID-AFTER-DEATH': 0 }, params: {} } });
  it('says so in every format, and html still draws its (empty) chart', () => {
    expect(formatTerminal(empty, { color: false })).toContain('未发现疑点');
    expect(formatMarkdown(empty)).toContain('未发现疑点');
    const html = formatHtml(empty);
    expect(html).toContain('<svg id="risk-chart"');
    expect(html).toContain('未发现疑点');
    // No finding or evidence records: the header, then the manifest alone.
    const csv = formatCsv(empty).split('\r\n');
    expect(csv[0]).toBe('\uFEFF' + 'record,fingerprint,rule_id,category,risk,severity,title,message,entity_kind,entity_key,entity_label,period,amount_yuan,evidence_count,baseline,table,file,line,values');
    expect(csv.slice(1, -1).map((l) => l.split(',')[0]).filter((r) => r === 'finding' || r === 'evidence')).toEqual([]);
    expect(csv[1]).toMatch(/^run,/);
    expect(JSON.parse(formatJson(empty)).summary.total).toEqual({ count: 0, newCount: 0, amount: 0, amountYuan: '0.00' });
  });
});

describe('terminal with many findings of one rule', () => {
  it('lists the first ones per rule and says how many more there are', () => {
    const many = Array.from({ length: 13 }, (_, i) => finding({ fingerprint: `f${String(i).padStart(2, '0')}`, ruleId: 'R', amount: 100 - i, message: { zh: `疑点${i}`, en: `finding ${i}` } }));
    const r = sampleResult({ reveal: false, run: { findings: many, skipped: [], ran: { R: 13 }, params: {} } });
    const out = formatTerminal(r, { color: false });
    expect(out).toContain('疑点9');
    expect(out).not.toContain('疑点10');
    expect(out).toContain('另有 3 个疑点未列出');
    expect(formatMarkdown(r)).toContain('疑点12');
  });
});

describe('control characters from the data', () => {
  it('cannot drive the terminal: shown as escapes in terminal and markdown', () => {
    const evil = sampleResult({ reveal: false,
        run: { findings: [finding({ fingerprint: 'c', ruleId: 'R', message: { zh: '清屏\u001b[2J\u001b]0;title\u0007结束', en: '' } })], skipped: [], ran: { R: 1 }, params: {} },
      });
    for (const out of [formatTerminal(evil, { color: false }), formatMarkdown(evil)]) {
      expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    }
    expect(formatTerminal(evil, { color: false })).toContain('清屏\\u001b[2J\\u001b]0;title\\u0007结束');
    expect(formatMarkdown(evil)).toContain('清屏\\\\u001b\\[2J');
    expect(formatTerminal(evil, { color: true })).toMatch(/\u001b\[1m/); // its own colours still work
  });
});
