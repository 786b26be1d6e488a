/** Hand-written SVG bar charts for the SE-NAS benchmark: Kendall tau per variant, and top ground-truth operators kept per stage. */
import * as fs from 'node:fs';

export interface SvgRow {
  label: string;
  tau: { mean: number; std: number };
  kept: Array<{ stage: number; survivors: number; mean: number }> | null;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const COLORS = ['#888888', '#1f77b4', '#2ca02c', '#d62728'];

export function writeSvg(file: string, rows: SvgRow[], note: string): void {
  const W = 900;
  const H = 420;
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`];
  parts.push(`<text x="20" y="22" font-size="15">SE-NAS vs SPOS on NAS-Bench-201 (CPU, reduced configuration; see se-nas.json)</text>`);
  // panel 1: tau
  const x0 = 60;
  const y0 = 330;
  const ph = 250;
  parts.push(`<text x="${x0}" y="50">Kendall tau-b, supernet acc. vs NB201 cifar10 test (50-arch sample), mean ± std over seeds</text>`);
  parts.push(`<line x1="${x0}" y1="${y0 - ph / 2}" x2="${x0 + 360}" y2="${y0 - ph / 2}" stroke="#999"/>`);
  rows.forEach((r, i) => {
    const bx = x0 + 10 + i * 88;
    const h = (r.tau.mean * ph) / 2;
    const y = h >= 0 ? y0 - ph / 2 - h : y0 - ph / 2;
    parts.push(`<rect x="${bx}" y="${y.toFixed(1)}" width="60" height="${Math.abs(h).toFixed(1)}" fill="${COLORS[i % 4]}"/>`);
    const e = (r.tau.std * ph) / 2;
    parts.push(`<line x1="${bx + 30}" x2="${bx + 30}" y1="${(y0 - ph / 2 - h - e).toFixed(1)}" y2="${(y0 - ph / 2 - h + e).toFixed(1)}" stroke="#000"/>`);
    parts.push(`<text x="${bx}" y="${y0 + 20}" font-size="10">${esc(r.label)}</text><text x="${bx}" y="${y0 + 34}" font-size="10">${r.tau.mean.toFixed(3)}</text>`);
  });
  parts.push(`<text x="${x0 - 40}" y="${y0 - ph / 2 + 4}">0</text><text x="${x0 - 40}" y="${y0 - ph + 4}">+1</text><text x="${x0 - 40}" y="${y0 + 4}">-1</text>`);
  // panel 2: kept top operators
  const x1 = 480;
  parts.push(`<text x="${x1}" y="50">Top ground-truth operators among the survivors (mean over seeds)</text>`);
  const shrinkers = rows.filter((r) => r.kept);
  shrinkers.forEach((r, i) => {
    r.kept?.forEach((s, j) => {
      const bx = x1 + 20 + j * 200 + i * 50;
      const h = (s.mean / s.survivors) * ph;
      parts.push(`<rect x="${bx}" y="${(y0 - h).toFixed(1)}" width="40" height="${h.toFixed(1)}" fill="${COLORS[(rows.indexOf(r)) % 4]}"/>`);
      parts.push(`<text x="${bx}" y="${(y0 - h - 4).toFixed(1)}" font-size="10">${s.mean.toFixed(1)}/${s.survivors}</text>`);
    });
  });
  [1, 2].forEach((stage, j) => parts.push(`<text x="${x1 + 20 + j * 200}" y="${y0 + 20}">after stage ${stage}</text>`));
  parts.push(`<text x="20" y="${H - 30}" font-size="10">${esc(note.slice(0, 160))}</text>`);
  parts.push(`<text x="20" y="${H - 16}" font-size="10">${esc(note.slice(160, 320))}</text>`);
  parts.push('</svg>');
  fs.writeFileSync(file, parts.join('\n'));
}
