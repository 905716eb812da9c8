/**
 * UTC timestamps as text, from plain integer arithmetic.
 *
 * Why not `Date#toISOString()` / `toUTCString()`: the first call of either in a process touches
 * ~0.8 MiB of the node binary's read-only pages that nothing else a worker does needs (measured
 * with `/proc/self/status` RssFile around one call, Node 20.20, `--lite-mode`; system/worker/README.md
 * "Memory"). A worker formats a time for every side effect and every HTTP answer, so it would pay
 * that on its first bead; these functions give the same text without it. The civil date comes from
 * the days-since-epoch algorithm of Howard Hinnant's "chrono-Compatible Low-Level Date Algorithms"
 * (`civil_from_days`), valid for every date `Date` can hold.
 */

const DAY_MS = 86_400_000;
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

interface UtcParts {
  year: number;
  /** 1..12 */
  month: number;
  /** 1..31 */
  day: number;
  /** 0 = Sunday */
  weekday: number;
  hours: number;
  minutes: number;
  seconds: number;
  millis: number;
}

function utcParts(epochMs: number): UtcParts {
  if (!Number.isSafeInteger(epochMs)) throw new RangeError(`epochMs must be a safe integer, got ${epochMs}`);
  const days = Math.floor(epochMs / DAY_MS);
  const inDay = epochMs - days * DAY_MS;
  // civil_from_days: eras of 400 years (146,097 days) starting on 0000-03-01.
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1;
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return {
    year,
    month,
    day,
    weekday: (((days + 4) % 7) + 7) % 7, // 1970-01-01 was a Thursday
    hours: Math.floor(inDay / 3_600_000),
    minutes: Math.floor(inDay / 60_000) % 60,
    seconds: Math.floor(inDay / 1000) % 60,
    millis: inDay % 1000,
  };
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** `Date#toISOString()`'s year field: 4 digits for 0..9999, else signed 6 digits. */
function isoYear(year: number): string {
  if (year >= 0 && year <= 9999) return pad(year, 4);
  return (year < 0 ? '-' : '+') + pad(Math.abs(year), 6);
}

/** The same text as `new Date(epochMs).toISOString()`, e.g. `2026-12-07T21:03:57.000Z`. */
export function isoTimestamp(epochMs: number): string {
  const p = utcParts(epochMs);
  return `${isoYear(p.year)}-${pad(p.month, 2)}-${pad(p.day, 2)}T${pad(p.hours, 2)}:${pad(p.minutes, 2)}:${pad(p.seconds, 2)}.${pad(p.millis, 3)}Z`;
}

/**
 * An HTTP `Date` header (RFC 9110 IMF-fixdate), the same text as `new Date(epochMs).toUTCString()`
 * for years 0..9999, e.g. `Mon, 07 Dec 2026 21:03:57 GMT`.
 */
export function httpDate(epochMs: number): string {
  const p = utcParts(epochMs);
  return `${WEEKDAYS[p.weekday]!}, ${pad(p.day, 2)} ${MONTHS[p.month - 1]!} ${pad(p.year, 4)} ${pad(p.hours, 2)}:${pad(p.minutes, 2)}:${pad(p.seconds, 2)} GMT`;
}
