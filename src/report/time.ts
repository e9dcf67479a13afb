/**
 * The report's times are local times, stated with their zone: an auditor in
 * Luzhou reads 2024-06-01 09:30 +08:00, not 01:30Z. The zone is TZ when it
 * names an IANA time zone, else Asia/Shanghai — never the machine's own
 * setting, so that a report made on a server in UTC reads the same as one
 * made on a laptop in Beijing, and SOURCE_DATE_EPOCH with TZ fixes the bytes.
 */

/** The zone used when TZ is unset or blank. */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

/**
 * The time zone of the report: TZ when set to an IANA zone (a leading `:` as
 * glibc allows is dropped), else Asia/Shanghai. `invalid` is the TZ value that
 * was refused (the caller says so on stderr), if any.
 */
export function reportTimeZone(tz: string | undefined): { zone: string; invalid?: string } {
  const raw = tz?.trim().replace(/^:/, '') ?? '';
  if (raw === '') return { zone: DEFAULT_TIME_ZONE };
  try {
    const zone = new Intl.DateTimeFormat('en-US', { timeZone: raw }).resolvedOptions().timeZone;
    return { zone };
  } catch {
    return { zone: DEFAULT_TIME_ZONE, invalid: tz };
  }
}

interface LocalParts {
  year: string;
  month: string;
  day: string;
  hour: string;
  minute: string;
  second: string;
  /** `+08:00`. */
  offset: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function localParts(date: Date, zone: string): LocalParts {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(zone, f);
  }
  const p = Object.fromEntries(f.formatToParts(date).map((x) => [x.type, x.value])) as Record<string, string>;
  // The offset is what the local wall clock is ahead of UTC, to the minute.
  const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  const minutes = Math.round((wall - Math.floor(date.getTime() / 1000) * 1000) / 60000);
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return { year: p.year, month: p.month, day: p.day, hour: p.hour, minute: p.minute, second: p.second, offset };
}

/** ISO 8601 with the zone's offset: `2024-06-01T09:30:00+08:00`. */
export function isoLocal(date: Date, zone: string): string {
  const p = localParts(date, zone);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}${p.offset}`;
}

/** The local calendar day, `2024-06-01`. */
export function localDay(date: Date, zone: string): string {
  const p = localParts(date, zone);
  return `${p.year}-${p.month}-${p.day}`;
}

/** How a report shows an ISO time it holds: `2024-06-01 09:30:00 +08:00 (Asia/Shanghai)`. */
export function displayTime(iso: string, zone: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})([+-]\d{2}:\d{2}|Z)$/.exec(iso);
  return m ? `${m[1]} ${m[2]} ${m[3] === 'Z' ? '+00:00' : m[3]} (${zone})` : iso;
}
