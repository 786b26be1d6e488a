/**
 * Upload-memory benchmark (`npm run bench:upload-memory`): the API as deployed (`node dist/src/main.js`, its own
 * process, default limits unless overridden) receives gzip bombs (zeros, about 1 KiB compressed per MiB) as the
 * CIFAR-10 `train` file of POST /v1/datasets, one size at a time, then BENCH_CONCURRENT 1 GiB bombs at once
 * from BENCH_CONCURRENT / 2 teams. Prints the server's peak RSS above idle (sampled every 20 ms from
 * /proc/<pid>/status) and the answer per upload, and writes benchmarks/results/upload-memory.json (or BENCH_OUT).
 *
 * Env: DATABASE_URL (a PostgreSQL server; a scratch database is created and dropped), BENCH_SIZES_MIB
 * (default 64,256,1024,4096), BENCH_CONCURRENT (default 6), BENCH_SERVER_MAIN (another build's dist/src/main.js,
 * e.g. the code before the fix, to compare), BENCH_LABEL (a name for that build in the output).
 */
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { Client } from 'pg';
import { REPO_ROOT } from '../../src/config/config';
import { runMigrations } from '../../src/database/data-source';
import { RunProvenance } from '../common/provenance';
import { createTeamIn, gzipBomb, sampleRss, startServerProcess, uploadDataset } from './server';

const MiB = 1024 * 1024;

interface Row {
  what: string;
  decompressedMiB: number;
  compressedBytes: number;
  uploads: number;
  statuses: number[];
  idleRssMiB: number;
  peakRssMiB: number;
  peakAboveIdleMiB: number;
  seconds: number;
}

async function main(): Promise<void> {
  const base = process.env.DATABASE_URL;
  if (!base) throw new Error('set DATABASE_URL to a PostgreSQL server (a scratch database is created there)');
  const sizes = (process.env.BENCH_SIZES_MIB ?? '64,256,1024,4096').split(',').map(Number);
  const concurrent = Number(process.env.BENCH_CONCURRENT ?? 6);
  const main = process.env.BENCH_SERVER_MAIN ? path.resolve(process.env.BENCH_SERVER_MAIN) : undefined;
  const label = process.env.BENCH_LABEL ?? 'this build';
  const name = `bench_upload_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  const dbUrl = url.toString();
  const rows: Row[] = [];
  try {
    await runMigrations(dbUrl);
    const server = await startServerProcess(dbUrl, {}, main);
    try {
      const keys: string[] = [];
      for (let i = 0; i < Math.max(1, Math.ceil(concurrent / 2)); i++) keys.push(await createTeamIn(dbUrl, `bench-${i}`));
      const test = Buffer.alloc(3073 * 10); // 10 valid records (label 0)
      const run = async (what: string, mib: number, uploads: number): Promise<void> => {
        const bomb = gzipBomb(mib * MiB);
        await new Promise((r) => setTimeout(r, 1500));
        const idle = server.rss();
        const sampler = sampleRss(() => server.rss());
        const t0 = Date.now();
        const answers = await Promise.all(
          Array.from({ length: uploads }, (_, i) =>
            uploadDataset(server.baseUrl, keys[i % keys.length], { name: `bomb-${i}`, format: 'cifar10-binary' }, [
              { field: 'train', name: 'train.bin.gz', data: bomb },
              { field: 'test', name: 'test.bin', data: test },
            ]),
          ),
        );
        const peak = sampler.stop();
        const row: Row = {
          what,
          decompressedMiB: mib,
          compressedBytes: bomb.length,
          uploads,
          statuses: answers.map((a) => a.status),
          idleRssMiB: Math.round(idle / MiB),
          peakRssMiB: Math.round(peak / MiB),
          peakAboveIdleMiB: Math.round((peak - idle) / MiB),
          seconds: (Date.now() - t0) / 1000,
        };
        rows.push(row);
        process.stdout.write(
          `${what.padEnd(28)} ${String(mib).padStart(5)} MiB (${(bomb.length / 1024).toFixed(0).padStart(5)} KiB gz) x${uploads}: ` +
            `idle ${row.idleRssMiB} MiB, peak ${row.peakRssMiB} MiB (+${row.peakAboveIdleMiB} MiB), answers ${row.statuses.join(',')}, ${row.seconds.toFixed(1)} s\n`,
        );
      };
      process.stdout.write(`upload-memory benchmark (${label}): server ${main ?? 'dist/src/main.js'}, default limits\n`);
      for (const mib of sizes) await run('one upload', mib, 1);
      await run(`${concurrent} concurrent uploads`, 1024, concurrent);
    } finally {
      await server.stop();
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
  const out = process.env.BENCH_OUT ?? path.join(REPO_ROOT, 'benchmarks', 'results', 'upload-memory.json');
  const prov = new RunProvenance('dist/benchmarks/upload-memory/run.js', ['BENCH_OUT', 'BENCH_SERVER_MAIN', 'BENCH_CONCURRENT', 'BENCH_SIZES_MIB'], {
    sizesMiB: sizes.join(','),
    concurrent,
    server: main ?? 'dist/src/main.js',
    limits: 'defaults (MAX_UPLOAD_BYTES 256 MiB, MAX_UPLOAD_IMAGES 100000, MAX_CONCURRENT_UPLOADS 4, MAX_CONCURRENT_UPLOADS_PER_TEAM 2)',
  });
  prov.writeResultJson(out, {
    benchmark: 'upload-memory',
    label,
    description: 'gzip bombs of zeros as the CIFAR-10 train file of POST /v1/datasets; peak RSS of the API process above idle (sampled every 20 ms)',
    rows,
  });
  process.stdout.write(`wrote ${path.relative(REPO_ROOT, out)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
