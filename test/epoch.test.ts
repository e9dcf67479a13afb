/** SOURCE_DATE_EPOCH has one reader: the report's time and the loader's "today" agree on what it means. */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/errors.js';
import { sourceDateEpoch, todayFrom } from '../src/epoch.js';
import { todayFrom as idToday } from '../src/data/types/id.js';
import { reportTime } from '../src/report/build.js';

describe('SOURCE_DATE_EPOCH', () => {
  const now = new Date(Date.UTC(2030, 5, 1));

  it('is whole seconds since 1970; unset or blank means now', () => {
    expect(sourceDateEpoch('1700000000')?.toISOString()).toBe('2023-11-14T22:13:20.000Z');
    expect(sourceDateEpoch(undefined)).toBeUndefined();
    expect(sourceDateEpoch(' ')).toBeUndefined();
    expect(todayFrom('1700000000', now)).toBe(20231114);
  });

  it('refuses anything else, for the report and the loader alike', () => {
    for (const bad of ['1.7e9', '-1', '17e8', 'yesterday', '99999999999999999']) {
      expect(() => sourceDateEpoch(bad), bad).toThrow(UsageError);
      expect(() => reportTime({ SOURCE_DATE_EPOCH: bad }), bad).toThrow(/SOURCE_DATE_EPOCH/);
      // The loader reads it before the CLI can refuse it; it then judges by today, and the CLI stops the run.
      expect(todayFrom(bad, now), bad).toBe(20300601);
    }
    expect(idToday).toBe(todayFrom);
  });
});
