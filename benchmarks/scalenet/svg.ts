/** Hand-written SVG of two overlaid FLOPs histograms (ScaleNet Fig. 3 / Fig. 9 style) with dashed budget lines. */
import * as fs from 'node:fs';

export interface Series {
  label: string;
  color: string;
  counts: readonly number[];
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function writeHistogramSvg(file: string, title: string, binEdges: readonly number[], series: readonly Series[], budgets: readonly number[], note: string): void {
  const W = 960;
  const H = 480;
  const left = 70;
  const right = 20;
  const top = 50;
  const bottom = 90;
  const pw = W - left - right;
  const ph = H - top - bottom;
  const lo = binEdges[0];
  const hi = binEdges[binEdges.length - 1];
  const total = (c: readonly number[]): number => c.reduce((a, b) => a + b, 0);
  const maxFrac = Math.max(...series.flatMap((s) => s.counts.map((c) => c / total(s.counts))));
  const x = (v: number): number => left + ((v - lo) / (hi - lo)) * pw;
  const y = (f: number): number => top + ph - (f / maxFrac) * ph;
  const out: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`];
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${left}" y="24" font-size="15">${esc(title)}</text>`);
  for (const s of series) {
    const n = total(s.counts);
    s.counts.forEach((c, i) => {
      if (!c) return;
      const x0 = x(binEdges[i]);
      const x1 = x(binEdges[i + 1]);
      out.push(`<rect x="${x0.toFixed(1)}" y="${y(c / n).toFixed(1)}" width="${Math.max(0.5, x1 - x0).toFixed(1)}" height="${(top + ph - y(c / n)).toFixed(1)}" fill="${s.color}" fill-opacity="0.5"/>`);
    });
  }
  budgets.forEach((b, j) => {
    if (b < lo || b > hi) return;
    out.push(`<line x1="${x(b).toFixed(1)}" x2="${x(b).toFixed(1)}" y1="${top}" y2="${top + ph}" stroke="#000" stroke-dasharray="5,4"/>`);
    out.push(`<text x="${(x(b) + 3).toFixed(1)}" y="${top + 12}" font-size="11">f${j}=${(b / 1e6).toFixed(0)}M</text>`);
  });
  out.push(`<line x1="${left}" x2="${left + pw}" y1="${top + ph}" y2="${top + ph}" stroke="#000"/><line x1="${left}" x2="${left}" y1="${top}" y2="${top + ph}" stroke="#000"/>`);
  const step = niceStep((hi - lo) / 8);
  for (let v = Math.ceil(lo / step) * step; v <= hi; v += step) {
    out.push(`<line x1="${x(v).toFixed(1)}" x2="${x(v).toFixed(1)}" y1="${top + ph}" y2="${top + ph + 5}" stroke="#000"/><text x="${(x(v) - 14).toFixed(1)}" y="${top + ph + 18}">${(v / 1e6).toFixed(0)}M</text>`);
  }
  for (let k = 0; k <= 4; k++) {
    const f = (maxFrac * k) / 4;
    out.push(`<text x="${left - 50}" y="${(y(f) + 4).toFixed(1)}">${(100 * f).toFixed(2)}%</text>`);
  }
  out.push(`<text x="${left + pw / 2 - 90}" y="${top + ph + 36}">FLOPs (multiply-adds) of the path</text>`);
  series.forEach((s, i) => {
    out.push(`<rect x="${left + pw - 260}" y="${top + 24 + i * 18}" width="12" height="12" fill="${s.color}" fill-opacity="0.5"/><text x="${left + pw - 242}" y="${top + 34 + i * 18}">${esc(s.label)}</text>`);
  });
  out.push(`<text x="${left}" y="${H - 26}" font-size="10">${esc(note.slice(0, 170))}</text>`);
  out.push(`<text x="${left}" y="${H - 12}" font-size="10">${esc(note.slice(170, 340))}</text>`);
  out.push('</svg>');
  fs.writeFileSync(file, out.join('\n'));
}

function niceStep(raw: number): number {
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}
