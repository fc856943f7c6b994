/** "2026-12-02T09:15:30+07:00": a moment in Vietnam time, ISO 8601 with its offset (letter-format.md 3.12). */
export function formatIsoVn(d: Date): string {
  const local = new Date(d.getTime() + 7 * 3600_000);
  return `${local.toISOString().slice(0, 19)}+07:00`;
}
