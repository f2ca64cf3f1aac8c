import dayjs from 'dayjs';
import utc from 'dayjs/plugin/utc';
import timezone from 'dayjs/plugin/timezone';
import customParseFormat from 'dayjs/plugin/customParseFormat';

dayjs.extend(utc);
dayjs.extend(timezone);
dayjs.extend(customParseFormat);

export const DATE_FORMAT = 'YYYY-MM-DD HH:mm:ss';
const LOCAL_RE = /^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}(:\d{2})?)?$/;
const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?$/;

let appTz = 'Asia/Shanghai';
/** Set once at start from APP_TZ. */
export function setAppTimezone(tz: string): void {
  appTz = tz;
}
export const appTimezone = (): string => appTz;

/** `YYYY-MM-DD HH:mm:ss` in APP_TZ, or null. */
export function formatDate(d: Date | null | undefined): string | null {
  if (!d) return null;
  return dayjs(d).tz(appTz).format(DATE_FORMAT);
}

/** Accepts `YYYY-MM-DD HH:mm:ss` (or `YYYY-MM-DD`) in APP_TZ, or ISO 8601; null when not a date. */
export function parseDate(value: unknown): Date | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  if (typeof value !== 'string') return null;
  const s = value.trim();
  if (LOCAL_RE.test(s)) {
    const fmt = s.length === 10 ? 'YYYY-MM-DD' : s.length === 16 ? 'YYYY-MM-DD HH:mm' : DATE_FORMAT;
    if (!dayjs(s, fmt, true).isValid()) return null;
    const d = dayjs.tz(s, fmt, appTz);
    return d.isValid() ? d.toDate() : null;
  }
  if (ISO_RE.test(s)) {
    const hasZone = /(Z|[+-]\d{2}:?\d{2})$/.test(s);
    const d = hasZone ? dayjs(s) : dayjs.tz(s, appTz);
    return d.isValid() ? d.toDate() : null;
  }
  return null;
}

export function isDateInput(value: unknown): boolean {
  return parseDate(value) !== null;
}

export const addSeconds = (d: Date, s: number): Date => new Date(d.getTime() + s * 1000);
