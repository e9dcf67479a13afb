import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Interrupted } from '../../src/errors.js';
import { removeStaleTemps, writeReportFile } from '../../src/report/write.js';
import { deviceToTarget } from '../cli/binary.js';

const fresh = () => mkdtempSync(join(tmpdir(), 'fa-write-'));

/** The id of a process that has ended. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout as unknown as number;
}

describe('writeReportFile', () => {
  it('replaces the file whole and leaves nothing else behind', async () => {
    const dir = fresh();
    const file = join(dir, 'report.json');
    writeFileSync(file, 'old');
    await writeReportFile(file, '新的报告\n');
    expect(readFileSync(file, 'utf8')).toBe('新的报告\n');
    expect(readdirSync(dir)).toEqual(['report.json']);
  });

  it('keeps the permissions of the report it replaces; a new private report is 0600', async () => {
    const dir = fresh();
    const file = join(dir, 'revealed.json');
    writeFileSync(file, 'old');
    chmodSync(file, 0o600);
    await writeReportFile(file, 'new');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    await writeReportFile(join(dir, 'new.json'), 'x', { private: true });
    expect(statSync(join(dir, 'new.json')).mode & 0o777).toBe(0o600);
    await writeReportFile(join(dir, 'masked.json'), 'x');
    expect(statSync(join(dir, 'masked.json')).mode & 0o777).toBe(0o644 & ~process.umask());
  });

  it('writes its temporary file readable by its owner only, beside the target', async () => {
    const dir = fresh();
    const file = join(dir, 'r.json');
    const seen: number[] = [];
    const watch = setInterval(() => {
      for (const n of readdirSync(dir)) if (n.endsWith('.tmp')) seen.push(lstatSync(join(dir, n)).mode & 0o777);
    }, 0);
    await writeReportFile(file, 'x'.repeat(64 << 20));
    clearInterval(watch);
    expect(seen.length).toBeGreaterThan(0);
    expect(new Set(seen)).toEqual(new Set([0o600]));
    expect(readdirSync(dir)).toEqual(['r.json']);
  });

  it('writes pieces as they come, and nothing when making them fails', async () => {
    const dir = fresh();
    const file = join(dir, 'report.csv');
    await writeReportFile(file, ['a,b\r\n', '报告,2\r\n'].map((p) => Buffer.from(p)));
    expect(readFileSync(file, 'utf8')).toBe('a,b\r\n报告,2\r\n');
    function* failing() {
      yield Buffer.from('half');
      throw new Error('renderer failed');
    }
    await expect(writeReportFile(file, failing())).rejects.toThrow('renderer failed');
    expect(readFileSync(file, 'utf8')).toBe('a,b\r\n报告,2\r\n');
    expect(readdirSync(dir)).toEqual(['report.csv']);
  });

  it('a signal between two pieces stops the pieces: none is made after it', async () => {
    const dir = fresh();
    const file = join(dir, 'report.json');
    let made = 0;
    function* pieces() {
      for (let i = 0; i < 1000; i++) {
        made++;
        if (i === 2) setImmediate(() => process.emit('SIGINT', 'SIGINT'));
        yield Buffer.alloc(1 << 16, 120);
      }
    }
    const err = await writeReportFile(file, pieces()).catch((e) => e);
    expect(err).toBeInstanceOf(Interrupted);
    expect((err as Interrupted).exitCode).toBe(130);
    expect(made).toBeLessThan(1000);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a signal during the write abandons it: the previous report stays, no temporary file, Interrupted with 128+n', async () => {
    const dir = fresh();
    const file = join(dir, 'report.json');
    writeFileSync(file, 'previous');
    const before = process.listenerCount('SIGTERM');
    // Delivered between two pieces of the write, as a real signal is.
    setImmediate(() => process.emit('SIGTERM', 'SIGTERM'));
    const err = await writeReportFile(file, 'x'.repeat(16 << 20)).catch((e) => e);
    expect(err).toBeInstanceOf(Interrupted);
    expect((err as Interrupted).exitCode).toBe(143);
    expect(readFileSync(file, 'utf8')).toBe('previous');
    expect(readdirSync(dir)).toEqual(['report.json']);
    expect(process.listenerCount('SIGTERM')).toBe(before);
  });

  it('a target that became something else during the write is refused before the rename; the temporary file is removed', async () => {
    const dir = fresh();
    const file = join(dir, 'report.json');
    writeFileSync(file, 'previous');
    // Between two pieces of the write, the report becomes a folder.
    setImmediate(() => {
      rmSync(file);
      mkdirSync(file);
    });
    await expect(writeReportFile(file, 'x'.repeat(16 << 20))).rejects.toThrow(/it is a folder/);
    expect(readdirSync(dir)).toEqual(['report.json']);
    expect(statSync(file).isDirectory()).toBe(true);
  });

  it('refuses folders, devices, named pipes and links to nothing, and writes through a link to a file', async () => {
    const dir = fresh();
    mkdirSync(join(dir, 'folder'));
    await expect(writeReportFile(join(dir, 'folder'), 'x')).rejects.toThrow(/it is a folder/);
    // Never the machine's /dev/null: as root, a regression would replace it (see deviceToTarget).
    const device = deviceToTarget(dir);
    if (device) await expect(writeReportFile(device, 'x')).rejects.toThrow(/it is a character device, not a regular file/);
    if (process.platform !== 'win32') {
      execFileSync('mkfifo', [join(dir, 'pipe')]);
      await expect(writeReportFile(join(dir, 'pipe'), 'x')).rejects.toThrow(/named pipe \(FIFO\), not a regular file/);
      symlinkSync(join(dir, 'gone.json'), join(dir, 'dangling.json'));
      await expect(writeReportFile(join(dir, 'dangling.json'), 'x')).rejects.toThrow(/link to a file that does not exist/);
      writeFileSync(join(dir, 'real.json'), 'old');
      symlinkSync(join(dir, 'real.json'), join(dir, 'latest.json'));
      await writeReportFile(join(dir, 'latest.json'), 'new');
      expect(readlinkSync(join(dir, 'latest.json'))).toBe(join(dir, 'real.json'));
      expect(readFileSync(join(dir, 'real.json'), 'utf8')).toBe('new');
    }
    await expect(writeReportFile(join(dir, 'missing', 'r.json'), 'x')).rejects.toThrow(/folder .*missing does not exist/);
  });
});

describe('removeStaleTemps', () => {
  it("removes this tool's temporaries of processes that are gone, old naming included, and nothing else", () => {
    const dir = fresh();
    const target = join(dir, 'report.json');
    const dead = deadPid();
    const stale = [`.report.json.fundaudit-${dead}-0123456789ab.tmp`, `.report.json.${dead}.0123abcd.tmp`];
    const kept = [`.report.json.fundaudit-${process.pid}-0123456789ab.tmp`, `.other.json.fundaudit-${dead}-0123456789ab.tmp`, 'report.json', `.report.json.${dead}.tmp`];
    for (const n of [...stale, ...kept]) writeFileSync(join(dir, n), 'x');
    expect(removeStaleTemps(target).sort()).toEqual(stale.map((n) => join(dir, n)).sort());
    expect(readdirSync(dir).sort()).toEqual([...kept].sort());
  });
});
