/**
 * SOURCE_DATE_EPOCH (reproducible-builds.org): with it set, a run takes its
 * time from it, so that the same inputs give the same bytes on any day. This
 * is the one reader of it: the report's time and the loader's "today" agree.
 */
import { UsageError } from './errors.js';

/**
 * The time SOURCE_DATE_EPOCH names: whole seconds since 1970-01-01 UTC.
 * Undefined when unset or blank; a malformed value (`1.7e9`, `yesterday`) is
 * a UsageError, never a silent fallback to now.
 */
export function sourceDateEpoch(value: string | undefined): Date | undefined {
  const epoch = value?.trim();
  if (epoch === undefined || epoch === '') return undefined;
  const date = /^\d+$/.test(epoch) ? new Date(Number(epoch) * 1000) : null;
  if (!date || Number.isNaN(date.getTime())) {
    throw new UsageError(`SOURCE_DATE_EPOCH=${epoch} is not a number of seconds since 1970-01-01 UTC`, 'set it to e.g. $(git log -1 --format=%ct), or unset it');
  }
  return date;
}

/**
 * Today as YYYYMMDD (UTC): of SOURCE_DATE_EPOCH when it is valid, else of
 * `now`. Read once when the loader is loaded, before the CLI can report a
 * malformed value; the CLI refuses that value before any work (sourceDateEpoch),
 * so a run never judges by another day than its report shows.
 */
export function todayFrom(epoch: string | undefined, now: Date): number {
  let d = now;
  try {
    d = sourceDateEpoch(epoch) ?? now;
  } catch {
    // reported by the CLI before anything is loaded
  }
  return d.getUTCFullYear() * 10000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate();
}
