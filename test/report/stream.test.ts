/**
 * Reports are written as streams (issue 10): every format comes in pieces,
 * and a report larger than V8's longest string is written whole without
 * ever being one string, its memory bounded.
 */
import { constants } from 'node:buffer';
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EvidenceRow } from '../../src/engine/finding.js';
import type { AuditResult, ReportFinding } from '../../src/report/model.js';
import { renderReport } from '../../src/report/render.js';
import { buffered, jsonChunks, joined, LazyList } from '../../src/report/stream.js';
import { writeReportFile } from '../../src/report/write.js';
import { rendered, sampleResult } from './sample.js';

const FORMATS = ['terminal', 'json', 'csv', 'md', 'html', 'sarif', 'github'] as const;

describe('jsonChunks', () => {
  it('is JSON.stringify(value, null, 2), byte for byte, however the value nests', () => {
    const big = Array.from({ length: 3000 }, (_, i) => ({ i, s: `行${i}`, nested: { list: [i, null, 'x'], empty: [], none: {} } }));
    for (const value of [
      1,
      'a "quoted"\nline',
      null,
      [],
      {},
      { a: undefined, b: [undefined, () => 1], c: { d: [] } },
      { rows: big, tail: { deep: { deeper: big.slice(0, 5000) } } },
      big,
    ]) {
      expect(joined(jsonChunks(value))).toBe(JSON.stringify(value, null, 2));
    }
  });

  it('writes a lazy list as an array, made one item at a time', () => {
    let made = 0;
    const list = new LazyList(function* () {
      for (let i = 0; i < 3; i++) {
        made++;
        yield { i };
      }
    });
    const chunks = jsonChunks({ results: list, empty: new LazyList(() => []) })[Symbol.iterator]();
    expect(made).toBe(0);
    let text = '';
    for (let c = chunks.next(); !c.done; c = chunks.next()) text += c.value;
    expect(made).toBe(3);
    expect(text).toBe(JSON.stringify({ results: [{ i: 0 }, { i: 1 }, { i: 2 }], empty: [] }, null, 2));
  });

  it('groups pieces into buffers of about 64 KiB', () => {
    const pieces = Array.from({ length: 10_000 }, () => '报告'.repeat(10));
    const buffers = [...buffered(pieces)];
    expect(buffers.length).toBeGreaterThan(1);
    expect(Buffer.concat(buffers).toString('utf8')).toBe(pieces.join(''));
    for (const b of buffers.slice(0, -1)) expect(b.length).toBeLessThan(256 * 1024);
  });
});

/** A synthetic result of `n` findings sharing one evidence array: large on paper, small in memory. */
function syntheticResult(n: number, rowsPerFinding = 50): AuditResult {
  const base = sampleResult({ reveal: false });
  const template = base.findings.find((f) => f.fingerprint === 'fp-death-zhang')!;
  const evidence: EvidenceRow[] = Array.from({ length: rowsPerFinding }, (_, i) => ({
    table: 'payouts',
    file: 'exports/2024/待遇发放明细.csv',
    line: i + 2,
    values: {
      payout_id: `P${String(i).padStart(9, '0')}`,
      person_id: `R${String(i).padStart(9, '0')}`,
      id_number: '110105********002X',
      name: '张*',
      item: '基本养老金',
      period: '2024-02',
      amount: 300000 + i,
      pay_date: '2024-02-15',
      status: '成功',
      bank_account: '****3445',
      operator_id: 'S001',
    },
  }));
  const findings: ReportFinding[] = Array.from({ length: n }, (_, i) => ({ ...template, fingerprint: i.toString(16).padStart(16, '0'), evidence, evidenceCount: 1000 }));
  return { ...base, findings };
}

describe('every format, in pieces', () => {
  it('no piece is more than a few hundred kilobytes, however many findings there are', () => {
    const r = syntheticResult(2000, 20);
    for (const format of FORMATS) {
      let pieces = 0;
      let largest = 0;
      for (const piece of renderReport(r, format, { top: 5 })) {
        pieces++;
        largest = Math.max(largest, piece.length);
      }
      // The terminal lists the first --top findings of each rule; the other formats list them all.
      expect(pieces, format).toBeGreaterThan(format === 'terminal' ? 10 : 1000);
      expect(largest, format).toBeLessThan(300_000);
    }
  });

  it('equals the whole report on a small result', () => {
    expect(rendered(sampleResult(), 'json')).toBe(JSON.stringify(sampleResult(), null, 2) + '\n');
  });
});

/** Counts the occurrences of `needle` in a file, reading it in small pieces. */
async function countIn(file: string, needle: string): Promise<number> {
  let count = 0;
  let carry = '';
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const text = carry + chunk;
    let at = text.indexOf(needle);
    while (at >= 0) {
      count++;
      at = text.indexOf(needle, at + needle.length);
    }
    carry = text.slice(Math.max(0, text.length - needle.length + 1));
  }
  return count;
}

describe('a report larger than the longest string', () => {
  it(
    'is written whole through the atomic writer, never one string, with memory bounded',
    async () => {
      // ~31 KB of JSON per finding: past V8's 512 MiB string limit at about 17,500 findings.
      const n = 19_000;
      const r = syntheticResult(n);
      const dir = mkdtempSync(join(tmpdir(), 'fa-big-'));
      const file = join(dir, 'report.json');
      try {
        const started = Date.now();
        global.gc?.();
        const before = process.memoryUsage().rss;
        let peak = before;
        let writes = 0;
        // The memory is read as the pieces go out.
        const pieces = function* () {
          for (const bytes of buffered(renderReport(r, 'json'))) {
            yield bytes;
            if (++writes % 256 === 0) peak = Math.max(peak, process.memoryUsage().rss);
          }
        };
        await writeReportFile(file, pieces());
        const seconds = (Date.now() - started) / 1000;
        const size = statSync(file).size;
        expect(size).toBeGreaterThan(constants.MAX_STRING_LENGTH);
        expect(peak - before, `rss grew by ${Math.round((peak - before) / 2 ** 20)} MiB`).toBeLessThan(256 * 2 ** 20);
        // Whole: every finding is there, and the file ends as the JSON does.
        expect(await countIn(file, '"fingerprint": ')).toBe(n);
        const tail = await new Promise<string>((resolve) => {
          let t = '';
          createReadStream(file, { start: size - 64, encoding: 'utf8' })
            .on('data', (c) => (t += c))
            .on('end', () => resolve(t));
        });
        expect(tail.endsWith('}\n')).toBe(true);
        // For the record: how long and how much, on this machine.
        console.log(`big report: ${(size / 2 ** 20).toFixed(0)} MiB in ${seconds.toFixed(1)} s, rss +${((peak - before) / 2 ** 20).toFixed(0)} MiB`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    120_000,
  );
});
