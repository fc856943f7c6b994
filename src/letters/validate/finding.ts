export type Severity = 'error' | 'warning' | 'info';
export interface Finding {
  /** The rule's code, e.g. "page.margins", "ngay-thang". */
  rule: string;
  severity: Severity;
  message: string;
}

/** Collects findings of one rule code. */
export function findings(rule: string): { out: Finding[]; error(m: string): void; warning(m: string): void; info(m: string): void } {
  const out: Finding[] = [];
  return {
    out,
    error: (message) => out.push({ rule, severity: 'error', message }),
    warning: (message) => out.push({ rule, severity: 'warning', message }),
    info: (message) => out.push({ rule, severity: 'info', message }),
  };
}
