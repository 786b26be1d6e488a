/**
 * Hand-written SVG for the SE-NAS benchmark: Kendall tau per block (SE-NAS on its current space, SPOS on the same
 * archs at equal epochs), NB201 cifar10 test accuracy of the searched arch per variant, and top ground-truth operators
 * kept per shrinking stage.
 */
import * as fs from 'node:fs';

type Ms = { mean: number; std: number; n: number };
export interface SvgRow {
  label: string;
  key: string;
  test: Ms;
  tauPerBlock: Array<{ block: number; own: Ms; sameArchsAsSeNas: Ms }>;
  kept: Array<{ stage: number; survivors: number; mean: number }> | null;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const COLORS = ['#888888', '#1f77b4', '#2ca02c', '#ff7f0e', '#9467bd', '#d62728', '#8c564b'];
const fin = (x: number): number => (Number.isFinite(x) ? x : 0);

export function writeSvg(file: string, rows: SvgRow[], optimumTest: number | null, note: string): void {
  const W = 1100;
  const H = 460;
  const p: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`];
  p.push(`<text x="20" y="22" font-size="15">SE-NAS vs SPOS on NAS-Bench-201 (CPU, reduced configuration; see the JSON beside this file)</text>`);
  const y0 = 340;
  const ph = 240;
  // panel 1: tau per block, SE-NAS own vs SPOS same archs vs SPOS full-space sample
  const se = rows.find((r) => r.key === 'se-nas');
  const sp = rows.find((r) => r.key === 'spos');
  const x0 = 50;
  p.push(`<text x="${x0}" y="50">Kendall tau-b vs NB201 cifar10 test, per stage (mean ± std over seeds)</text>`);
  p.push(`<line x1="${x0}" y1="${y0 - ph / 2}" x2="${x0 + 330}" y2="${y0 - ph / 2}" stroke="#999"/>`);
  p.push(`<text x="${x0 - 40}" y="${y0 - ph / 2 + 4}">0</text><text x="${x0 - 40}" y="${y0 - ph + 4}">+1</text><text x="${x0 - 40}" y="${y0 + 4}">-1</text>`);
  const series: Array<{ name: string; color: string; get: (b: number) => Ms | undefined }> = [
    { name: 'SE-NAS (its current space)', color: COLORS[1], get: (b) => se?.tauPerBlock.find((t) => t.block === b)?.own },
    { name: 'SPOS (same archs, equal epochs)', color: COLORS[0], get: (b) => sp?.tauPerBlock.find((t) => t.block === b)?.sameArchsAsSeNas },
    { name: 'SPOS (full-space sample)', color: '#cccccc', get: (b) => sp?.tauPerBlock.find((t) => t.block === b)?.own },
  ];
  [1, 2, 3].forEach((b, j) => {
    series.forEach((s, i) => {
      const m = s.get(b);
      if (!m || !m.n) return;
      const bx = x0 + 10 + j * 110 + i * 30;
      const h = (fin(m.mean) * ph) / 2;
      const y = h >= 0 ? y0 - ph / 2 - h : y0 - ph / 2;
      p.push(`<rect x="${bx}" y="${y.toFixed(1)}" width="26" height="${Math.abs(h).toFixed(1)}" fill="${s.color}"/>`);
      const e = (fin(m.std) * ph) / 2;
      p.push(`<line x1="${bx + 13}" x2="${bx + 13}" y1="${(y0 - ph / 2 - h - e).toFixed(1)}" y2="${(y0 - ph / 2 - h + e).toFixed(1)}" stroke="#000"/>`);
      p.push(`<text x="${bx}" y="${(y0 - ph / 2 - h - e - 3).toFixed(1)}" font-size="9">${m.mean.toFixed(2)}</text>`);
    });
    p.push(`<text x="${x0 + 10 + j * 110}" y="${y0 + 16}">end of stage ${b}</text>`);
  });
  series.forEach((s, i) => p.push(`<rect x="${x0}" y="${y0 + 26 + i * 14}" width="10" height="10" fill="${s.color}"/><text x="${x0 + 14}" y="${y0 + 35 + i * 14}" font-size="10">${esc(s.name)}</text>`));
  // panel 2: cifar10 test accuracy of the searched arch
  const x1 = 420;
  p.push(`<text x="${x1}" y="50">Searched arch: NB201 cifar10 test % (200 ep), mean ± std</text>`);
  const lo = 80;
  const hi = 95;
  const sy = (v: number): number => y0 - ((Math.min(hi, Math.max(lo, v)) - lo) / (hi - lo)) * ph;
  rows.forEach((r, i) => {
    const bx = x1 + 10 + i * 50;
    if (!r.test.n) return;
    p.push(`<rect x="${bx}" y="${sy(r.test.mean).toFixed(1)}" width="36" height="${(y0 - sy(r.test.mean)).toFixed(1)}" fill="${COLORS[i % COLORS.length]}"/>`);
    p.push(`<line x1="${bx + 18}" x2="${bx + 18}" y1="${sy(r.test.mean + r.test.std).toFixed(1)}" y2="${sy(r.test.mean - r.test.std).toFixed(1)}" stroke="#000"/>`);
    p.push(`<text x="${bx}" y="${(sy(r.test.mean + r.test.std) - 3).toFixed(1)}" font-size="9">${r.test.mean.toFixed(2)}</text>`);
    p.push(`<text transform="translate(${bx + 10},${y0 + 12}) rotate(30)" font-size="9">${esc(r.label)}</text>`);
  });
  if (optimumTest !== null) p.push(`<line x1="${x1}" x2="${x1 + 10 + rows.length * 50}" y1="${sy(optimumTest).toFixed(1)}" y2="${sy(optimumTest).toFixed(1)}" stroke="#d62728" stroke-dasharray="4 3"/><text x="${x1 + 12 + rows.length * 50}" y="${sy(optimumTest).toFixed(1)}" font-size="9">optimum ${optimumTest.toFixed(2)}</text>`);
  p.push(`<text x="${x1 - 30}" y="${y0 + 4}" font-size="10">${lo}</text><text x="${x1 - 30}" y="${y0 - ph + 4}" font-size="10">${hi}</text>`);
  // panel 3: top ground-truth operators kept
  const x2 = 800;
  p.push(`<text x="${x2}" y="50">Top ground-truth operators kept (mean over seeds)</text>`);
  const shrinkers = rows.filter((r) => r.kept);
  [1, 2].forEach((stage, j) => {
    shrinkers.forEach((r, i) => {
      const s = r.kept?.find((k) => k.stage === stage);
      if (!s || !Number.isFinite(s.mean)) return;
      const bx = x2 + 10 + j * 140 + i * 22;
      const h = (s.mean / s.survivors) * ph;
      p.push(`<rect x="${bx}" y="${(y0 - h).toFixed(1)}" width="18" height="${h.toFixed(1)}" fill="${COLORS[rows.indexOf(r) % COLORS.length]}"/>`);
      p.push(`<text transform="translate(${bx},${(y0 - h - 3).toFixed(1)}) rotate(-60)" font-size="8">${s.mean.toFixed(1)}/${s.survivors}</text>`);
    });
    p.push(`<text x="${x2 + 10 + j * 140}" y="${y0 + 16}">after stage ${stage}</text>`);
  });
  for (let i = 0; i * 170 < note.length && i < 5; i++) p.push(`<text x="20" y="${H - 70 + i * 13}" font-size="9">${esc(note.slice(i * 170, (i + 1) * 170))}</text>`);
  p.push('</svg>');
  fs.writeFileSync(file, p.join('\n'));
}
