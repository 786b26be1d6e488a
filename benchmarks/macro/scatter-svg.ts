/** Hand-written SVG scatter plot (points and optional step lines), shared by the NAS-Bench-Macro benchmarks. */

export interface ScatterSeries {
  label: string;
  color: string;
  points: Array<{ x: number; y: number }>;
  /** Draw a staircase through the points (a 2-D Pareto front) instead of dots only. */
  steps?: boolean;
  radius?: number;
}

export interface ScatterSpec {
  title: string;
  subtitle: string;
  xLabel: string;
  yLabel: string;
  series: ScatterSeries[];
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const f = (x: number): string => (Math.round(x * 10) / 10).toString();

function ticks(lo: number, hi: number): number[] {
  const raw = (hi - lo) / 5;
  const p = 10 ** Math.floor(Math.log10(raw || 1));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) out.push(Math.round(v * 1e6) / 1e6);
  return out;
}

export function renderScatter(spec: ScatterSpec): string {
  const W = 760;
  const H = 520;
  const M = { l: 64, r: 20, t: 64, b: 50 };
  const all = spec.series.flatMap((s) => s.points);
  let [x0, x1] = [Math.min(...all.map((p) => p.x)), Math.max(...all.map((p) => p.x))];
  let [y0, y1] = [Math.min(...all.map((p) => p.y)), Math.max(...all.map((p) => p.y))];
  const px = (x1 - x0) * 0.04 || 1;
  const py = (y1 - y0) * 0.04 || 1;
  [x0, x1, y0, y1] = [x0 - px, x1 + px, y0 - py, y1 + py];
  const legendH = 18 * spec.series.length;
  const height = H + legendH;
  const sx = (x: number): number => M.l + ((x - x0) / (x1 - x0)) * (W - M.l - M.r);
  const sy = (y: number): number => M.t + (1 - (y - y0) / (y1 - y0)) * (H - M.t - M.b);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="11">`);
  out.push(`<rect width="100%" height="100%" fill="white"/>`);
  out.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(spec.title)}</text>`);
  out.push(`<text x="${W / 2}" y="42" text-anchor="middle" fill="#444">${esc(spec.subtitle)}</text>`);
  out.push(`<rect x="${M.l}" y="${M.t}" width="${W - M.l - M.r}" height="${H - M.t - M.b}" fill="none" stroke="#888"/>`);
  for (const t of ticks(x0, x1)) out.push(`<line x1="${f(sx(t))}" x2="${f(sx(t))}" y1="${H - M.b}" y2="${H - M.b + 4}" stroke="#888"/><text x="${f(sx(t))}" y="${H - M.b + 16}" text-anchor="middle">${t}</text>`);
  for (const t of ticks(y0, y1)) out.push(`<line x1="${M.l - 4}" x2="${M.l}" y1="${f(sy(t))}" y2="${f(sy(t))}" stroke="#888"/><text x="${M.l - 6}" y="${f(sy(t) + 4)}" text-anchor="end">${t}</text>`);
  out.push(`<text x="${(M.l + W - M.r) / 2}" y="${H - 12}" text-anchor="middle">${esc(spec.xLabel)}</text>`);
  out.push(`<text transform="translate(16 ${(M.t + H - M.b) / 2}) rotate(-90)" text-anchor="middle">${esc(spec.yLabel)}</text>`);
  for (const s of spec.series) {
    if (s.steps && s.points.length > 0) {
      const pts = [...s.points].sort((a, b) => a.x - b.x);
      const d = pts.map((p, i) => (i === 0 ? `M${f(sx(p.x))},${f(sy(p.y))}` : `H${f(sx(p.x))}V${f(sy(p.y))}`)).join('');
      out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.5"/>`);
    }
    const r = s.radius ?? 2.5;
    for (const p of s.points) out.push(`<circle cx="${f(sx(p.x))}" cy="${f(sy(p.y))}" r="${r}" fill="${s.color}" fill-opacity="0.7"/>`);
  }
  spec.series.forEach((s, i) => {
    const y = H + 12 + 18 * i;
    out.push(`<circle cx="${M.l + 6}" cy="${y - 4}" r="4" fill="${s.color}"/><text x="${M.l + 16}" y="${y}">${esc(s.label)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
