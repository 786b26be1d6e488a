import * as fs from 'node:fs';
import * as zlib from 'node:zlib';

/** A parsed CSV file: header names and rows of raw string fields. */
export interface CsvTable {
  header: string[];
  rows: string[][];
}

/** Split one RFC 4180 record (no embedded line breaks in these files) into fields. */
export function splitCsvLine(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"') {
        if (line[i + 1] === '"') {
          cur += '"';
          i++;
        } else quoted = false;
      } else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/** Parse CSV text with a header row. */
export function parseCsv(text: string): CsvTable {
  const lines = text.split('\n');
  while (lines.length && lines[lines.length - 1].trim() === '') lines.pop();
  if (!lines.length) return { header: [], rows: [] };
  const header = splitCsvLine(lines[0].replace(/\r$/, ''));
  const rows: string[][] = new Array(lines.length - 1);
  for (let i = 1; i < lines.length; i++) rows[i - 1] = splitCsvLine(lines[i].replace(/\r$/, ''));
  return { header, rows };
}

/** Read a (gzip'd when the name ends in .gz) CSV file. */
export function readCsvFile(file: string): CsvTable {
  const raw = fs.readFileSync(file);
  const text = file.endsWith('.gz') ? zlib.gunzipSync(raw).toString('utf8') : raw.toString('utf8');
  return parseCsv(text);
}

/** Column position by name; throws naming the file when absent. */
export function column(t: CsvTable, name: string, file: string): number {
  const i = t.header.indexOf(name);
  if (i < 0) throw new Error(`${file}: missing column "${name}"`);
  return i;
}

/** Number from a CSV field; empty field -> NaN. */
export function num(field: string | undefined): number {
  return field === undefined || field === '' ? NaN : Number(field);
}
