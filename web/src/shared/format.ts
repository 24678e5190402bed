// Numbers, times and durations in the page's language (Intl only, no library).
export function ago(iso: string, lang: string, now = Date.now()): string {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const rtf = new Intl.RelativeTimeFormat(lang, { numeric: "auto", style: "short" });
  const abs = Math.abs(seconds);
  if (abs < 60) return rtf.format(seconds, "second");
  if (abs < 3600) return rtf.format(Math.round(seconds / 60), "minute");
  if (abs < 86400) return rtf.format(Math.round(seconds / 3600), "hour");
  return rtf.format(Math.round(seconds / 86400), "day");
}

export function dateTime(iso: string, lang: string): string {
  return new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));
}

export function duration(seconds: number | null | undefined, lang: string): string {
  if (seconds === null || seconds === undefined) return "—";
  const unit = (value: number, u: "second" | "minute" | "hour" | "day") =>
    new Intl.NumberFormat(lang, { style: "unit", unit: u, unitDisplay: "short", maximumFractionDigits: 1 }).format(value);
  if (seconds < 90) return unit(seconds, "second");
  if (seconds < 90 * 60) return unit(seconds / 60, "minute");
  if (seconds < 36 * 3600) return unit(seconds / 3600, "hour");
  return unit(seconds / 86400, "day");
}

export function percent(value: number | null | undefined, lang: string): string {
  if (value === null || value === undefined) return "—";
  return new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 0 }).format(value);
}
