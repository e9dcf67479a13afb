import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic, writeReportFile } from '../../src/report/write.js';

describe('writeFileAtomic', () => {
  it('replaces the file whole and leaves nothing else behind', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fa-write-'));
    const file = join(dir, 'report.json');
    writeFileSync(file, 'old');
    writeFileAtomic(file, '新的报告\n');
    expect(readFileSync(file, 'utf8')).toBe('新的报告\n');
    expect(readdirSync(dir)).toEqual(['report.json']);
  });

  it('keeps the permissions of the report it replaces', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fa-write-'));
    const file = join(dir, 'revealed.json');
    writeFileSync(file, 'old');
    chmodSync(file, 0o600);
    writeFileAtomic(file, 'new');
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('on failure keeps the previous file and removes its temp file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fa-write-'));
    const target = join(dir, 'is-a-folder');
    mkdirSync(target);
    writeFileSync(join(dir, 'keep.json'), 'previous');
    expect(() => writeFileAtomic(target, 'x'.repeat(100_000))).toThrow();
    expect(readdirSync(dir).sort()).toEqual(['is-a-folder', 'keep.json']);
    expect(readFileSync(join(dir, 'keep.json'), 'utf8')).toBe('previous');
    expect(() => writeFileAtomic(join(dir, 'missing', 'r.json'), 'x')).toThrow(/ENOENT/);
  });

  it('writes what a producer writes, piece by piece, and nothing when the producer throws', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fa-write-'));
    const file = join(dir, 'report.csv');
    writeFileAtomic(file, (write) => {
      for (const piece of ['a,b\r\n', '报告,2\r\n']) write(Buffer.from(piece));
    });
    expect(readFileSync(file, 'utf8')).toBe('a,b\r\n报告,2\r\n');
    expect(() =>
      writeFileAtomic(file, (write) => {
        write(Buffer.from('half'));
        throw new Error('renderer failed');
      }),
    ).toThrow('renderer failed');
    expect(readFileSync(file, 'utf8')).toBe('a,b\r\n报告,2\r\n');
    expect(readdirSync(dir)).toEqual(['report.csv']);
  });

  it('writeReportFile writes and releases its signal handlers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fa-write-'));
    const before = process.listenerCount('SIGINT');
    await writeReportFile(join(dir, 'r.md'), '# r\n');
    expect(readFileSync(join(dir, 'r.md'), 'utf8')).toBe('# r\n');
    expect(process.listenerCount('SIGINT')).toBe(before);
  });
});
