import { dayNumber, parseDay } from './dates.js';

/**
 * `op.weekdays_between(a, b)`: the Mondays to Fridays after `a` up to and
 * including `b` (0 when b ≤ a). Official holidays and 调休 working weekends
 * are not known here: rules subtract and add them from the `calendar` table.
 */
export function weekdays_between(a: unknown, b: unknown): number | null {
  const x = parseDay(a);
  const y = parseDay(b);
  if (!x || !y) return null;
  const from = dayNumber(x);
  const to = dayNumber(y);
  if (to <= from) return 0;
  // Weekdays in days 1970-01-01 … n-1 (1970-01-01 was a Thursday), then the difference.
  const upTo = (n: number) => {
    const weeks = Math.floor(n / 7);
    const rest = n - weeks * 7;
    // Days 0..rest-1 of a week that starts on a Thursday: Thu, Fri, Sat, Sun, Mon, Tue, Wed.
    const partial = [0, 1, 2, 2, 2, 3, 4][rest];
    return weeks * 5 + partial;
  };
  return upTo(to + 1) - upTo(from + 1);
}
