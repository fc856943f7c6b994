/**
 * `npm run bench`: runs every bench/*.bench.ts (or those named on the command line) and prints one table.
 * A scenario returns rows of figures; targets are printed beside them, never asserted in unit tests.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface BenchRow {
  scenario: string;
  metric: string;
  value: number | string;
  unit?: string;
  target?: string;
}

export interface BenchModule {
  run(): Promise<BenchRow[]>;
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
    .sort();
  const rows: BenchRow[] = [];
  for (const f of files) {
    const mod = (await import(path.join(__dirname, f))) as BenchModule;
    process.stderr.write(`running ${f}…\n`);
    rows.push(...(await mod.run()));
  }
  const fmt = (v: number | string) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : v);
  const table = rows.map((r) => [r.scenario, r.metric, `${fmt(r.value)}${r.unit ? ' ' + r.unit : ''}`, r.target ?? '']);
  const head = ['scenario', 'metric', 'value', 'target'];
  const widths = head.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join(' | ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const r of table) console.log(line(r));
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
