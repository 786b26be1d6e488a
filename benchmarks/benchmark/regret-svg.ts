/** Hand-written SVG line plot: one panel per (row, column), a line per series with a band. No plotting library. */

export interface CurvePoint {
  x: number;
  y: number;
  lo: number;
  hi: number;
}

export interface Series {
  label: string;
  color: string;
  points: CurvePoint[];
  /** x values to mark with a dot (e.g. the budgets reported in the table). */
  marks?: number[];
}

export interface Panel {
  title: string;
  series: Series[];
}

export interface PlotSpec {
  title: string;
  subtitle: string;
  xLabel: string;
  yLabel: string;
  /** rows x columns of panels. */
  panels: Panel[][];
  xTicks: number[];
  logX: boolean;
  /** The y range is fitted to points with x >= this (earlier points may be clipped at the top of the panel). */
  fitYFromX?: number;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const f = (x: number): string => (Math.round(x * 10) / 10).toString();

function niceStep(max: number): number {
  const raw = max / 5;
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 2.5, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? raw;
}

export function renderPlot(spec: PlotSpec): string {
  const W = 360;
  const H = 270;
  const M = { l: 52, r: 12, t: 28, b: 40 };
  const top = 70;
  const rows = spec.panels.length;
  const cols = Math.max(...spec.panels.map((r) => r.length));
  const legendH = 30;
  const width = cols * W + 20;
  const height = top + rows * H + legendH + 10;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="11">`);
  out.push(`<rect width="100%" height="100%" fill="white"/>`);
  out.push(`<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(spec.title)}</text>`);
  out.push(`<text x="${width / 2}" y="42" text-anchor="middle" font-size="11" fill="#444">${esc(spec.subtitle)}</text>`);
  const xs = spec.xTicks;
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs);
  const tx = (x: number, pw: number): number => (spec.logX ? (Math.log10(x) - Math.log10(x0)) / (Math.log10(x1) - Math.log10(x0)) : (x - x0) / (x1 - x0)) * pw;
  spec.panels.forEach((row, ri) =>
    row.forEach((panel, ci) => {
      const ox = 10 + ci * W + M.l;
      const oy = top + ri * H + M.t;
      const pw = W - M.l - M.r;
      const ph = H - M.t - M.b;
      const fitFrom = spec.fitYFromX ?? -Infinity;
      const ymax = Math.max(1e-9, ...panel.series.flatMap((s) => s.points.filter((p) => p.x >= fitFrom).map((p) => Math.max(p.hi, p.y)))) * 1.05;
      const clip = `clip-${ri}-${ci}`;
      const step = niceStep(ymax);
      const yTop = Math.ceil(ymax / step) * step;
      const ty = (y: number): number => ph - (y / yTop) * ph;
      out.push(`<g transform="translate(${ox},${oy})">`);
      out.push(`<text x="${pw / 2}" y="-10" text-anchor="middle" font-size="12" font-weight="bold">${esc(panel.title)}</text>`);
      for (let y = 0; y <= yTop + 1e-9; y += step) {
        out.push(`<line x1="0" x2="${pw}" y1="${f(ty(y))}" y2="${f(ty(y))}" stroke="#e5e5e5"/>`);
        out.push(`<text x="-6" y="${f(ty(y) + 4)}" text-anchor="end" fill="#333">${Number(y.toFixed(3))}</text>`);
      }
      for (const x of xs) {
        out.push(`<line x1="${f(tx(x, pw))}" x2="${f(tx(x, pw))}" y1="0" y2="${ph}" stroke="#f0f0f0"/>`);
        out.push(`<text x="${f(tx(x, pw))}" y="${ph + 14}" text-anchor="middle" fill="#333">${x}</text>`);
      }
      out.push(`<clipPath id="${clip}"><rect x="0" y="0" width="${pw}" height="${ph}"/></clipPath>`);
      out.push(`<rect x="0" y="0" width="${pw}" height="${ph}" fill="none" stroke="#888"/>`);
      out.push(`<text x="${pw / 2}" y="${ph + 30}" text-anchor="middle">${esc(spec.xLabel)}</text>`);
      out.push(`<text transform="translate(-38,${ph / 2}) rotate(-90)" text-anchor="middle">${esc(spec.yLabel)}</text>`);
      out.push(`<g clip-path="url(#${clip})">`);
      for (const s of panel.series) {
        const pts = s.points;
        const band = [...pts.map((p) => `${f(tx(p.x, pw))},${f(ty(p.hi))}`), ...[...pts].reverse().map((p) => `${f(tx(p.x, pw))},${f(ty(p.lo))}`)].join(' ');
        out.push(`<polygon points="${band}" fill="${s.color}" fill-opacity="0.13" stroke="none"/>`);
      }
      for (const s of panel.series) {
        const line = s.points.map((p) => `${f(tx(p.x, pw))},${f(ty(p.y))}`).join(' ');
        out.push(`<polyline points="${line}" fill="none" stroke="${s.color}" stroke-width="1.8"/>`);
        for (const m of s.marks ?? []) {
          const p = s.points.find((q) => q.x === m);
          if (p) out.push(`<circle cx="${f(tx(p.x, pw))}" cy="${f(ty(p.y))}" r="2.6" fill="${s.color}"/>`);
        }
      }
      out.push(`</g>`);
      out.push(`</g>`);
    }),
  );
  const series = spec.panels[0][0].series;
  const ly = top + rows * H + 14;
  let lx = 20;
  series.forEach((s) => {
    out.push(`<rect x="${lx}" y="${ly - 8}" width="22" height="10" fill="${s.color}" fill-opacity="0.25"/>`);
    out.push(`<line x1="${lx}" x2="${lx + 22}" y1="${ly - 3}" y2="${ly - 3}" stroke="${s.color}" stroke-width="2"/>`);
    out.push(`<text x="${lx + 28}" y="${ly + 1}">${esc(s.label)}</text>`);
    lx += 28 + s.label.length * 6.3 + 24;
  });
  out.push(`</svg>`);
  return out.join('\n') + '\n';
}
