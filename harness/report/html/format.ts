/**
 * Text helpers for the HTML reports: escaping (every string from a journal is user data) and
 * number formatting with units, so tables and chart labels read the same way everywhere.
 */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Escapes text for HTML element content AND quoted attribute values. Scenario names, witness
 * messages and error texts come from files and from the system under test: never trust them.
 */
export function escapeHtml(value: unknown): string {
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- interpolated values print as String() prints them (a RawHtml-like toString too)
  return String(value ?? '').replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** Tagged template that escapes every interpolated value unless it is marked {@link raw}. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): string {
  let out = strings[0]!;
  values.forEach((value, i) => {
    out += renderValue(value) + strings[i + 1]!;
  });
  return out;
}

/** Markup that is already safe (built by {@link html} or the SVG builders). */
export class RawHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** Marks markup as already escaped, for {@link html}. */
export function raw(markup: string): RawHtml {
  return new RawHtml(markup);
}

function renderValue(value: unknown): string {
  if (value instanceof RawHtml) return value.value;
  if (Array.isArray(value)) return value.map(renderValue).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(value);
}

/** Three significant digits without trailing zeros ("1.5", "842", "12.3"). */
export function significant(value: number, digits = 3): string {
  if (!Number.isFinite(value)) return '–';
  if (value === 0) return '0';
  const magnitude = Math.floor(Math.log10(Math.abs(value)));
  const decimals = Math.max(0, digits - 1 - magnitude);
  return Number(value.toFixed(Math.min(decimals, 6))).toString();
}

/**
 * A duration given in MICROSECONDS (the metrics' unit), in the unit a person would pick:
 * "0.42 ms", "842 ms", "1.23 s", "2.5 min".
 */
export function formatMicros(micros: number | null | undefined): string {
  if (micros === null || micros === undefined || !Number.isFinite(micros)) return '–';
  return formatMillis(micros / 1000);
}

/** A duration given in milliseconds, as {@link formatMicros} formats it. */
export function formatMillis(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  const abs = Math.abs(ms);
  if (abs === 0) return '0 ms';
  if (abs < 1000) return `${significant(ms)} ms`;
  if (abs < 120_000) return `${significant(ms / 1000)} s`;
  return `${significant(ms / 60_000)} min`;
}

/** An integer count with thousands separators ("12,345"); fractions keep 3 significant digits. */
export function formatCount(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  return significant(value);
}

/** Completions per minute ("1,234 /min", "12.5 /min"). */
export function formatPerMinute(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  return `${value >= 100 ? Math.round(value).toLocaleString('en-US') : significant(value)} /min`;
}

/** An ISO timestamp (or epoch ms) as "2026-11-26 17:37:48 UTC"; other text is returned as is. */
export function formatTimestamp(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') return '–';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** Axis label for a time offset in ms from the run start ("0s", "15s", "2m30s"). */
export function formatOffset(ms: number): string {
  const seconds = ms / 1000;
  if (Math.abs(seconds) < 120) return `${significant(seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  const rest = Math.round(seconds - minutes * 60);
  return rest === 0 ? `${minutes}m` : `${minutes}m${rest}s`;
}

/** Bytes in binary units ("512 B", "48.2 MiB"). */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? Math.round(value) : significant(value)} ${units[unit]}`;
}
