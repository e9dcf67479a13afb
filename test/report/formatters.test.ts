import { describe, expect, it } from 'vitest';
import { columnValue } from '../../src/report/display.js';
import { csvCell, neutralise } from '../../src/report/formatters/csv.js';
import { esc } from '../../src/report/formatters/html.js';
import { mdEscape } from '../../src/report/formatters/markdown.js';
import { SCHEMA_VERSION } from '../../src/report/model.js';
import { textWidth } from '../../src/report/width.js';
import { finding, rendered, sampleResult } from './sample.js';

const masked = sampleResult({ reveal: false });
const FORMATS = ['terminal', 'json', 'csv', 'md', 'html', 'sarif', 'github'] as const;

describe('every format', () => {
  it('says first what ran: rules run, skipped and failed', () => {
    const line = '规则：共 3 条，运行 2 条（其中 2 条有疑点），未运行 1 条（缺少数据或超预算），出错 0 条';
    expect(rendered(masked, 'terminal').split('\n').slice(0, 4).join('\n')).toContain(line);
    expect(rendered(masked, 'md').split('\n').slice(0, 4).join('\n')).toContain(line);
    const html = rendered(masked, 'html');
    expect(html.indexOf(line)).toBeGreaterThan(html.indexOf('<h1>'));
    expect(html.indexOf(line)).toBeLessThan(html.indexOf('<h2>'));
    expect(rendered(masked, 'csv').split('\r\n')[1]).toMatch(/^运行,.*规则数=3；已运行=2；未运行=1；出错=0/);
    const json = JSON.parse(rendered(masked, 'json'));
    expect(Object.keys(json).slice(0, 7)).toEqual(['schemaVersion', 'tool', 'generatedAt', 'timeZone', 'lang', 'revealed', 'run']);
    expect(json.run).toEqual({ rules: 3, ran: 2, skipped: 1, failed: 0, withFindings: 2 });
    expect(JSON.parse(rendered(masked, 'sarif')).runs[0].properties.run).toEqual(json.run);
    expect(rendered(masked, 'github')).toContain(line);
  });

  it('says how totals are counted', () => {
    for (const format of ['terminal', 'md', 'html', 'csv'] as const) {
      expect(rendered(masked, format).replace(/\s+/g, ''), format).toContain('金额合计按证据行去重');
    }
    expect(rendered({ ...masked, lang: 'en' }, 'md')).toContain("Totals count each evidence row's money once");
    expect(JSON.parse(rendered(masked, 'json')).summary.counting).toBe('rows-once');
  });

  it('writes amounts one way: grouped, two decimals', () => {
    for (const format of ['terminal', 'md', 'html', 'csv'] as const) {
      const out = rendered(masked, format);
      expect(out, format).toContain('6,000.00');
      expect(out, format).not.toMatch(/(?<![\d,])6000\.00/);
    }
  });

  it('shows codes as the Chinese report says them, their canonical value in English', () => {
    expect(columnValue('bank_flows', 'direction', 'in', 'zh')).toBe('收');
    expect(columnValue('payouts', 'scheme', '110', 'zh')).toBe('110 企业职工基本养老保险');
    expect(columnValue('payouts', 'status', '成功', 'zh')).toBe('成功');
    expect(columnValue('bank_flows', 'direction', 'in', 'en')).toBe('in');
    expect(columnValue('payouts', 'amount', 123456, 'zh')).toBe('1,234.56');
  });

  it('states the time in its zone: Asia/Shanghai by default', () => {
    expect(masked.generatedAt).toBe('2024-06-01T08:00:00+08:00');
    expect(masked.timeZone).toBe('Asia/Shanghai');
    expect(rendered(masked, 'terminal')).toContain('2024-06-01 08:00:00 +08:00 (Asia/Shanghai)');
    const ny = sampleResult({ reveal: false, timeZone: 'America/New_York' });
    expect(ny.generatedAt).toBe('2024-05-31T20:00:00-04:00');
    expect(rendered(ny, 'md')).toContain('2024-05-31 20:00:00 -04:00 (America/New_York)');
  });
});

describe('terminal', () => {
  const out = rendered(masked, 'terminal', { color: false });

  it('shows the summary first, then findings by rule with file:line evidence, skipped rules, data issues and inputs', () => {
    const at = (s: string) => out.indexOf(s);
    expect(at('风险汇总')).toBeGreaterThan(0);
    expect(at('风险汇总')).toBeLessThan(at('疑点 (3)'));
    expect(at('疑点 (3)')).toBeLessThan(at('重点对象'));
    expect(at('重点对象')).toBeLessThan(at('输入数据'));
    expect(out).toMatch(/清人\s*│\s*冒领骗取\s*│\s*2\s*│\s*6,123\.45/);
    expect(out).toMatch(/\[高\] PAID-AFTER-DEATH 死亡后继续发放待遇/);
    expect(out).toContain('证据: in/payouts.csv:3, in/payouts.csv:4, in/deaths.csv:2');
    expect(out).toContain('另有 6 条证据');
    expect(out).toContain('PAID-WHILE-IMPRISONED: table prisoners was not loaded');
    expect(out).toContain('个人信息已脱敏');
    // The last line says again what ran and what was found.
    expect(out.trimEnd().split('\n').pop()).toBe('运行规则 2/3 条（未运行 1，出错 0）；疑点 3 个，去重后涉及金额 6,123.46 元');
  });

  it('groups data issues by kind, with a count and the first places', () => {
    const many = sampleResult({
      reveal: false,
      files: [
        {
          ...masked.manifest.files[0],
          path: 'in/persons.csv',
          table: 'persons',
          recognisedBy: 'header',
          headerLine: 1,
          missingColumns: [],
          issues: Array.from({ length: 12 }, (_, i) => ({ file: 'in/persons.csv', line: i + 2, column: '身份证号', value: 'x', reason: 'not an identity number', level: 'error' as const, code: 'id-format' })),
        },
      ],
    });
    const t = rendered(many, 'terminal');
    expect(t).toContain('id-format 12 条: 不是公民身份号码');
    expect(t.replace(/\n +/g, ' ')).toContain('in/persons.csv:2 [身份证号], in/persons.csv:3 [身份证号], in/persons.csv:4 [身份证号] … 另有 9 条未列出');
    expect(t.match(/不是公民身份号码/g)).toHaveLength(1);
  });

  it('fits the width it is given, counting CJK characters as two', () => {
    const long = sampleResult({
      reveal: false,
      run: {
        findings: [
          finding({
            fingerprint: 'x',
            ruleId: 'EXPENSE-OUTFLOW-TO-NON-BENEFICIARY',
            title: { zh: '很长的标题'.repeat(12), en: 'A very long title of a rule that goes on and on '.repeat(3) },
            message: { zh: '很长的说明'.repeat(40), en: 'A long message '.repeat(20) },
          }),
        ],
        skipped: [{ ruleId: 'R2', reason: '缺少'.repeat(60), code: 'missing-table' }],
        ran: { 'EXPENSE-OUTFLOW-TO-NON-BENEFICIARY': 1, R2: 0 },
        params: {},
      },
    });
    for (const width of [60, 80, 100, 140]) {
      for (const lang of ['zh', 'en'] as const) {
        for (const line of rendered({ ...long, lang }, 'terminal', { width }).split('\n')) expect(textWidth(line), `${width}: ${line}`).toBeLessThanOrEqual(width);
      }
    }
  });

  it('has no colour codes unless asked, and colours severities when asked', () => {
    expect(out).not.toMatch(/\u001b\[/);
    expect(rendered(masked, 'terminal', { color: true })).toMatch(/\u001b\[31m\[高\]/);
  });

  it('speaks English with --lang en', () => {
    const en = rendered({ ...masked, lang: 'en' }, 'terminal');
    expect(en).toContain('Summary');
    expect(en).toMatch(/People\s*│\s*Fraud/);
    expect(en).toContain('Evidence: in/payouts.csv:3');
    expect(en).toContain('Rules: 3 in all, 2 ran (2 with findings), 1 not run (missing data or budget), 0 failed');
  });
});

describe('json', () => {
  it('is the whole result under a versioned schema, byte for byte what JSON.stringify writes', () => {
    const text = rendered(masked, 'json');
    expect(text).toBe(JSON.stringify(masked, null, 2) + '\n');
    const doc = JSON.parse(text);
    expect(doc.schemaVersion).toBe(SCHEMA_VERSION);
    expect(Object.keys(doc)).toEqual([
      'schemaVersion', 'tool', 'generatedAt', 'timeZone', 'lang', 'revealed', 'run', 'summary', 'findings', 'cases', 'entities',
      'baseline', 'suppressions', 'skipped', 'dataIssues', 'inputs', 'manifest',
    ]);
    expect(doc.findings[0].evidence[0]).toEqual({ table: 'payouts', file: 'in/payouts.csv', line: 3, values: expect.any(Object) });
  });
});

describe('csv', () => {
  const out = rendered(masked, 'csv');
  const lines = out.split('\r\n');
  const en = rendered({ ...masked, lang: 'en' }, 'csv').split('\r\n');

  it('starts with a BOM and headers in the report language; each finding is followed by its evidence rows', () => {
    expect(out.startsWith('\uFEFF记录类型,指纹,规则编号,类别,风险,等级,')).toBe(true);
    expect(en[0]).toBe('\uFEFFrecord,fingerprint,rule_id,category,risk,severity,title,message,entity_kind,entity_key,entity_label,period,amount_yuan,evidence_count,baseline,case,table,file,line,values');
    const records = en.slice(1, -1).map((l) => l.split(',')[0]).filter((r) => r === 'finding' || r === 'evidence');
    expect(records).toEqual(['finding', 'evidence', 'finding', 'evidence', 'evidence', 'evidence', 'finding', 'evidence']);
    const f = lines.findIndex((l) => l.startsWith('疑点,'));
    expect(lines[f]).toContain(',****3445,');
    expect(lines[f]).toContain(',清钱,贪污,严重,');
    expect(lines[f + 1]).toMatch(/^证据,fp-shared-account,SHARED-PAYEE-ACCOUNT,.*,待遇发放明细,in\/payouts\.csv,3,/);
  });

  it('carries the manifest: a run record first, then inputs, rules and params', () => {
    expect(en[1]).toMatch(/^run,.*personal_data=masked/);
    for (const f of masked.manifest.files) expect(en.some((l) => l.startsWith('input,') && l.includes(f.path) && l.includes(`sha256=${f.sha256}`))).toBe(true);
    for (const rule of masked.manifest.rules) expect(en.some((l) => l.startsWith(`rule,,${rule.id},`) && l.includes(`sha256=${rule.sha256}`))).toBe(true);
    const paramCount = Object.values(masked.manifest.params).reduce((n, p) => n + Object.keys(p).length, 0);
    expect(en.filter((l) => l.startsWith('param,'))).toHaveLength(paramCount);
    expect(lines.some((l) => l.startsWith('规则,,PAID-WHILE-IMPRISONED,清人,冒领骗取,高,') && l.includes('状态=未运行'))).toBe(true);
    expect(lines.some((l) => l.startsWith('未运行规则,,PAID-WHILE-IMPRISONED,'))).toBe(true);
    expect(lines.some((l) => l.startsWith('数据问题,') && l.includes('bad-money'))).toBe(true);
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
    for (const line of lines.slice(1)) for (const cell of line.split(',')) expect(cell).not.toMatch(/^[=+\-@]/);
  });
});

describe('markdown', () => {
  const out = rendered(masked, 'md');
  it('escapes markup, tables and HTML in text, keeping snake_case readable', () => {
    expect(mdEscape('a|b *c* <script> _x_ payout_id\nnext')).toBe('a\\|b \\*c\\* &lt;script&gt; \\_x\\_ payout_id next');
  });

  it('has headings, the summary table, findings with evidence and the manifest', () => {
    expect(out).toMatch(/^# 社会保险基金审计风险报告/);
    expect(out).toContain('## 风险汇总');
    expect(out).toContain('| 清人 | 冒领骗取 | 2 | 2 | 6,123.45 |');
    expect(out).toContain('### PAID-AFTER-DEATH 死亡后继续发放待遇');
    expect(out).toMatch(/\| in\/payouts\.csv:4 \| 待遇发放明细 \| .*=110105\\\*.*发放金额=3,000\.00/);
    expect(out).toContain('## 清单');
    expect(out).toContain('| PAID-WHILE-IMPRISONED | 未运行 |');
    expect(out).not.toContain('张三');
  });
});

describe('html', () => {
  const out = rendered(masked, 'html');
  it('is one self-contained page: inline style and script, an SVG chart, no network', () => {
    expect(out).toMatch(/^<!DOCTYPE html>/);
    expect(out).toContain('<svg id="risk-chart"');
    expect(out).toContain("default-src 'none'");
    expect(out).not.toMatch(/<(link|img|iframe)\b/i);
    expect(out).not.toMatch(/\bsrc=/);
    expect(out).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(out).toContain('class="sortable cards"');
  });

  it('colours the chart by severity, prints on A4 with the evidence shown, and sorts numbers largest first', () => {
    expect(out).toContain('<rect class="seg sev-critical"');
    expect(out).toContain('<rect class="seg sev-high"');
    expect(out).toContain('@page{size:A4');
    expect(out).toMatch(/@media print\{[^@]*\.ev,body\.js \.ev:not\(\.open\)\{display:block!important\}/);
    expect(out).toContain('@media (max-width:640px)');
    expect(out).toContain("var desc = current ? current === 'ascending' : numeric;");
  });

  it('escapes all text', () => {
    expect(esc('<script>"&\'')).toBe('&#60;script&#62;&#34;&#38;&#39;');
    const evil = rendered(
      sampleResult({ reveal: false, run: { findings: [finding({ fingerprint: 'e', ruleId: 'R', message: { zh: '<img src=x onerror=alert(1)>', en: '' } })], skipped: [], ran: { R: 1 }, params: {} } }),
      'html',
    );
    expect(evil).not.toContain('<img');
    expect(evil).toContain('&#60;img src=x onerror=alert(1)&#62;');
  });
});

describe('a run without findings', () => {
  const empty = sampleResult({ reveal: false, run: { findings: [], skipped: [], ran: { 'PAID-AFTER-DEATH': 0 }, params: {} } });
  it('says so in every format, and html still draws its (empty) chart', () => {
    expect(rendered(empty, 'terminal')).toContain('未发现疑点');
    expect(rendered(empty, 'md')).toContain('未发现疑点');
    const html = rendered(empty, 'html');
    expect(html).toContain('<svg id="risk-chart"');
    expect(html).toContain('未发现疑点');
    const csv = rendered({ ...empty, lang: 'en' }, 'csv').split('\r\n');
    expect(csv.slice(1, -1).map((l) => l.split(',')[0]).filter((r) => r === 'finding' || r === 'evidence')).toEqual([]);
    expect(csv[1]).toMatch(/^run,/);
    expect(JSON.parse(rendered(empty, 'json')).summary.total).toEqual({ count: 0, newCount: 0, amount: 0, amountYuan: '0.00', findingsAmount: 0 });
  });

  it('does not say "no findings" alone when rules did not run', () => {
    const partial = sampleResult({ reveal: false, run: { findings: [], skipped: [{ ruleId: 'PAID-WHILE-IMPRISONED', reason: 'x', code: 'missing-table', missing: ['prisoners'] }], ran: { 'PAID-AFTER-DEATH': 0 }, params: {} } });
    const t = rendered(partial, 'terminal');
    expect(t).toContain('已运行的 2 条规则未发现疑点；另有 1 条规则未运行，其所查事项未经检查');
  });
});

describe('terminal with many findings of one rule', () => {
  const many = Array.from({ length: 13 }, (_, i) => finding({ fingerprint: `f${String(i).padStart(2, '0')}`, ruleId: 'R', amount: 100 - i, message: { zh: `疑点${i}`, en: `finding ${i}` } }));
  const r = sampleResult({ reveal: false, run: { findings: many, skipped: [], ran: { R: 13 }, params: {} } });

  it('lists the first ten per rule and summarises the rest with their count and money', () => {
    const out = rendered(r, 'terminal');
    expect(out).toContain('疑点9');
    expect(out).not.toContain('疑点10');
    expect(out).toContain('另有 3 个疑点未列出（涉及金额 2.67 元）');
    expect(rendered(r, 'md')).toContain('疑点12');
  });

  it('lists as many as --top says', () => {
    const out = rendered(r, 'terminal', { top: 3 });
    expect(out).toContain('疑点2');
    expect(out).not.toContain('疑点3');
    expect(out).toContain('另有 10 个疑点未列出');
  });
});

describe('control characters from the data', () => {
  it('cannot drive the terminal: shown as escapes in terminal, markdown and github annotations', () => {
    const evil = sampleResult({ reveal: false, run: { findings: [finding({ fingerprint: 'c', ruleId: 'R', message: { zh: '清屏\u001b[2J\u001b]0;title\u0007结束', en: '' } })], skipped: [], ran: { R: 1 }, params: {} } });
    for (const out of [rendered(evil, 'terminal'), rendered(evil, 'md'), rendered(evil, 'github')]) {
      expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    }
    expect(rendered(evil, 'terminal')).toContain('清屏\\u001b[2J\\u001b]0;title\\u0007结束');
    expect(rendered(evil, 'md')).toContain('清屏\\\\u001b\\[2J');
    expect(rendered(evil, 'terminal', { color: true })).toMatch(/\u001b\[1m/); // its own colours still work
  });
});

describe('github', () => {
  it('annotates each finding at its first evidence row, by severity, and warns of rules not run', () => {
    const out = rendered(masked, 'github').split('\n');
    expect(out[0]).toMatch(/^::error file=in\/payouts\.csv,line=3,title=SHARED-PAYEE-ACCOUNT \[严重\] 多人共用收款账户::账户 \*\*\*\*3445/);
    expect(out.filter((l) => l.startsWith('::error '))).toHaveLength(3);
    expect(out).toContain('::warning title=PAID-WHILE-IMPRISONED%3A 未运行::table prisoners was not loaded');
    expect(out.join('\n')).not.toContain('11010519491231002X');
  });
});

describe('every format, streamed', () => {
  it('comes in pieces that add up to the whole, and equal results give equal bytes', () => {
    for (const format of FORMATS) expect(rendered(sampleResult({ reveal: false }), format), format).toBe(rendered(masked, format));
  });
});
