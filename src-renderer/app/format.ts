/**
 * Times in the company time zone (product §0: everything calendar-based uses it), in the
 * interface language. Formatters are cached: the list formats hundreds of times per second while
 * scrolling.
 */
import { formatDistanceToNowStrict } from 'date-fns';
import { enUS, ru } from 'date-fns/locale';

const cache = new Map<string, Intl.DateTimeFormat>();

function fmt(lang: string, timeZone: string | undefined, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${lang}|${timeZone ?? ''}|${JSON.stringify(options)}`;
  let f = cache.get(key);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat(lang, { ...options, timeZone });
    } catch {
      f = new Intl.DateTimeFormat(lang, options);
    }
    cache.set(key, f);
  }
  return f;
}

/** Day numbers by time zone and minute: every list row asks for today's, and formatToParts is slow. */
const days = new Map<string, number>();

/** Calendar day of a moment in the time zone, as a sortable number (yyyymmdd). */
function dayNumber(ts: number, timeZone: string | undefined): number {
  // In every time zone in use today, a day starts on a whole minute.
  const key = `${timeZone ?? ''}|${Math.floor(ts / 60_000)}`;
  let day = days.get(key);
  if (day === undefined) {
    if (days.size > 5_000) days.clear();
    day = computeDayNumber(ts, timeZone);
    days.set(key, day);
  }
  return day;
}

function computeDayNumber(ts: number, timeZone: string | undefined): number {
  const parts = fmt('en-CA', timeZone, { year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(ts);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return get('year') * 10_000 + get('month') * 100 + get('day');
}

function daysBetween(a: number, b: number, timeZone: string | undefined): number {
  const toUtc = (n: number) => Date.UTC(Math.floor(n / 10_000), Math.floor((n % 10_000) / 100) - 1, n % 100);
  return Math.round((toUtc(dayNumber(b, timeZone)) - toUtc(dayNumber(a, timeZone))) / 86_400_000);
}

/** List rows: 14:02 today, a weekday this week, "12 Mar" this year, else 12.03.2024. */
export function formatListTime(ts: number | null, lang: string, timeZone?: string, now = Date.now()): string {
  if (ts === null || !Number.isFinite(ts)) return '';
  const days = daysBetween(ts, now, timeZone);
  if (days <= 0) return fmt(lang, timeZone, { hour: 'numeric', minute: '2-digit' }).format(ts);
  if (days < 7) return fmt(lang, timeZone, { weekday: 'short' }).format(ts);
  const sameYear = Math.floor(dayNumber(ts, timeZone) / 10_000) === Math.floor(dayNumber(now, timeZone) / 10_000);
  if (sameYear) return fmt(lang, timeZone, { day: 'numeric', month: 'short' }).format(ts);
  return fmt(lang, timeZone, { day: '2-digit', month: '2-digit', year: 'numeric' }).format(ts);
}

export function formatTime(ts: number, lang: string, timeZone?: string): string {
  return fmt(lang, timeZone, { hour: 'numeric', minute: '2-digit' }).format(ts);
}

/** "12 Mar 14:02" (with the year when it is not this year). */
export function formatDateTime(ts: number, lang: string, timeZone?: string, now = Date.now()): string {
  const sameYear = Math.floor(dayNumber(ts, timeZone) / 10_000) === Math.floor(dayNumber(now, timeZone) / 10_000);
  return fmt(lang, timeZone, sameYear
    ? { day: 'numeric', month: 'short', hour: 'numeric', minute: '2-digit' }
    : { day: 'numeric', month: 'short', year: 'numeric', hour: 'numeric', minute: '2-digit' }).format(ts);
}

export function formatFullDateTime(ts: number, lang: string, timeZone?: string): string {
  return fmt(lang, timeZone, { dateStyle: 'full', timeStyle: 'short' }).format(ts);
}

/** Day headings of the timeline: null for today/yesterday (the caller translates those). */
export function dayLabel(ts: number, lang: string, timeZone?: string, now = Date.now()): { relative: 'today' | 'yesterday' | null; text: string } {
  const days = daysBetween(ts, now, timeZone);
  if (days === 0) return { relative: 'today', text: '' };
  if (days === 1) return { relative: 'yesterday', text: '' };
  const sameYear = Math.floor(dayNumber(ts, timeZone) / 10_000) === Math.floor(dayNumber(now, timeZone) / 10_000);
  return { relative: null, text: fmt(lang, timeZone, sameYear ? { day: 'numeric', month: 'long', weekday: 'long' } : { day: 'numeric', month: 'long', year: 'numeric' }).format(ts) };
}

export function sameDay(a: number, b: number, timeZone?: string): boolean {
  return dayNumber(a, timeZone) === dayNumber(b, timeZone);
}

/** "5 minutes" in the interface language. */
export function formatWaited(ts: number, lang: string): string {
  return formatDistanceToNowStrict(ts, { locale: lang === 'ru' ? ru : enUS });
}

export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return '?';
  const first = Array.from(words[0])[0] ?? '';
  const second = words.length > 1 ? Array.from(words[words.length - 1])[0] ?? '' : Array.from(words[0])[1] ?? '';
  return (first + second).toUpperCase();
}

/**
 * Creates the formatters the list's rows use, for the company time zone and the interface
 * language: the first Intl.DateTimeFormat of a time zone is slow to make, and this runs while
 * the first rows are still being read rather than in their render.
 */
export function warmListFormats(lang: string, timeZone: string | undefined, now = Date.now()): void {
  for (const ago of [0, 2 * 86_400_000, 30 * 86_400_000, 400 * 86_400_000]) formatListTime(now - ago, lang, timeZone, now);
}
