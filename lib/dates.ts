// Dates as people and machines write them. JavaScript's Date rolls an impossible one over (2026-02-31 is read
// as March 3, 24:00 as the next day), so a date is checked against the calendar before it is believed.

/** True when year-month-day is a day of the calendar (months 1-12). */
export function isCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2}):(\d{2})(?::(\d{2}))?)?/;

/**
 * True when the date (and time, if any) leading an ISO 8601 text exists: a calendar day, hours up to 23,
 * minutes and seconds up to 59. The form itself is for the caller's own pattern to check.
 */
export function isCalendarTime(text: string): boolean {
  const m = DATE_TIME.exec(text);
  if (!m) return false;
  const [y, mo, d, h = "0", mi = "0", s = "0"] = m.slice(1);
  return isCalendarDate(Number(y), Number(mo), Number(d)) && Number(h) <= 23 && Number(mi) <= 59 && Number(s) <= 59;
}

/** A UTC day or minute written YYYY-MM-DD or YYYY-MM-DDTHH:MM (the console's forms), or null when there is no such time. */
export function parseUtcDateTime(text: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2})?$/.test(text) || !isCalendarTime(text)) return null;
  return new Date(`${text.length === 10 ? `${text}T00:00` : text}:00.000Z`);
}
