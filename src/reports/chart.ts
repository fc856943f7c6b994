import type { TrendPoint } from './dashboard';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The trend chart as inline SVG, drawn on the server (no script): total percent (solid) and completeness
 * (dashed) per week, 0–100 %, with the target as a dotted line. Labels come in already translated.
 */
export function trendSvg(points: TrendPoint[], targetPercent: number, labels: { percent: string; completeness: string; target: string; title: string; week?: (week: string) => string }): string {
  const W = 640;
  const H = 240;
  const left = 40;
  const right = 12;
  const top = 16;
  const bottom = 44;
  const pw = W - left - right;
  const ph = H - top - bottom;
  const x = (i: number) => left + (points.length <= 1 ? pw / 2 : (i * pw) / (points.length - 1));
  const y = (v: number) => top + ph - (Math.max(0, Math.min(100, v)) * ph) / 100;
  const line = (vals: number[]) => vals.map((v, i) => `${i ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  const grid = [0, 25, 50, 75, 100]
    .map((v) => `<line x1="${left}" x2="${W - right}" y1="${y(v)}" y2="${y(v)}" stroke="#d0d5dd"/><text x="${left - 6}" y="${y(v) + 4}" text-anchor="end" font-size="11">${v}%</text>`)
    .join('');
  const every = Math.max(1, Math.ceil(points.length / 10));
  const xLabels = points
    .map((p, i) => (i % every === 0 || i === points.length - 1 ? `<text x="${x(i)}" y="${H - bottom + 16}" text-anchor="middle" font-size="11">${+p.week.slice(6)}</text>` : ''))
    .join('');
  const dots = (vals: number[], color: string) => vals.map((v, i) => `<circle cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3" fill="${color}"><title>${esc(labels.week ? labels.week(points[i].week) : points[i].week)}: ${v}%</title></circle>`).join('');
  const pct = points.map((p) => p.percent);
  const comp = points.map((p) => p.completeness);
  return `<svg viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${esc(labels.title)}" xmlns="http://www.w3.org/2000/svg" style="max-width:${W}px;background:#fff">
<title>${esc(labels.title)}</title>${grid}${xLabels}
<line x1="${left}" x2="${W - right}" y1="${y(targetPercent)}" y2="${y(targetPercent)}" stroke="#a31515" stroke-dasharray="2 3"/>
${points.length ? `<path d="${line(comp)}" fill="none" stroke="#8a5a00" stroke-width="2" stroke-dasharray="6 4"/>${dots(comp, '#8a5a00')}<path d="${line(pct)}" fill="none" stroke="#106b2b" stroke-width="2.5"/>${dots(pct, '#106b2b')}` : ''}
<g font-size="12"><line x1="${left}" x2="${left + 24}" y1="${H - 10}" y2="${H - 10}" stroke="#106b2b" stroke-width="2.5"/><text x="${left + 30}" y="${H - 6}">${esc(labels.percent)}</text>
<line x1="${left + 200}" x2="${left + 224}" y1="${H - 10}" y2="${H - 10}" stroke="#8a5a00" stroke-width="2" stroke-dasharray="6 4"/><text x="${left + 230}" y="${H - 6}">${esc(labels.completeness)}</text>
<line x1="${left + 400}" x2="${left + 424}" y1="${H - 10}" y2="${H - 10}" stroke="#a31515" stroke-dasharray="2 3"/><text x="${left + 430}" y="${H - 6}">${esc(labels.target)}</text></g>
</svg>`;
}
