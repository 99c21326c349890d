// Times as the API server wants them. Lease and Event times are metav1.MicroTime: RFC 3339 with
// exactly six fractional digits ("2026-01-01T00:00:00.123000Z"); conditions use metav1.Time
// (whole seconds).

export function microTime(epochMs: number): string {
  const iso = new Date(epochMs).toISOString(); // 2026-01-01T00:00:00.123Z
  return `${iso.slice(0, -1)}000Z`;
}

export function rfc3339Seconds(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 19)}Z`;
}

/** Epoch milliseconds of a Time or MicroTime string; NaN when unreadable. */
export function parseTimeMs(text: string | undefined): number {
  return text === undefined ? Number.NaN : Date.parse(text);
}
