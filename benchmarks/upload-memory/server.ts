/**
 * The API as deployed (`node dist/src/main.js`) in its own process, so that its resident memory (RSS, read from
 * /proc/<pid>/status) is the server's alone; plus gzip bombs and a multipart upload client. Shared by the
 * upload-memory benchmark and the e2e test of bounded upload memory.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

const MAIN = path.resolve(__dirname, '../../src/main.js');

export interface ServerProcess {
  child: ChildProcess;
  baseUrl: string;
  storageDir: string;
  /** Resident set size of the server process now, in bytes. */
  rss(): number;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export function rssOf(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!m) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(m[1]) * 1024;
}

/** Starts the API (no in-process worker) on a migrated database; resolves once it listens. */
export async function startServerProcess(dbUrl: string, env: Record<string, string> = {}, main = MAIN): Promise<ServerProcess> {
  const port = await freePort();
  const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nas-upload-mem-'));
  const child = spawn(process.execPath, [main], {
    env: { ...process.env, DATABASE_URL: dbUrl, PORT: String(port), HOST: '127.0.0.1', STORAGE_DIR: storageDir, IN_PROCESS_WORKER: 'false', LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 60_000;
  while (!/listening on/.test(out)) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}: ${out}`);
    if (Date.now() > deadline) throw new Error(`server did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    baseUrl: `http://127.0.0.1:${port}`,
    storageDir,
    rss: () => rssOf(child.pid as number),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(storageDir, { recursive: true, force: true });
    },
  };
}

/** Samples a process's RSS every `everyMs` until stopped; returns the peak. */
export function sampleRss(read: () => number, everyMs = 20): { stop(): number } {
  let peak = read();
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, read());
    } catch {
      /* process gone */
    }
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      try {
        peak = Math.max(peak, read());
      } catch {
        /* process gone */
      }
      return peak;
    },
  };
}

/**
 * A gzip "bomb": `decompressedBytes` of zeros (optionally after `prefix`) as concatenated gzip members of
 * 64 MiB of zeros each (about 64 KiB compressed each), so building a 4 GiB bomb costs 64 KiB of memory.
 */
export function gzipBomb(decompressedBytes: number, prefix: Buffer = Buffer.alloc(0)): Buffer {
  const member = 64 * 1024 * 1024;
  const full = zlib.gzipSync(Buffer.alloc(member), { level: 9 });
  const parts: Buffer[] = prefix.length ? [zlib.gzipSync(prefix)] : [];
  let left = decompressedBytes - prefix.length;
  while (left >= member) {
    parts.push(full);
    left -= member;
  }
  if (left > 0) parts.push(zlib.gzipSync(Buffer.alloc(left), { level: 9 }));
  return Buffer.concat(parts);
}

/** A valid IDX3 images header (60000 28x28 images) followed, in the bomb, by far more bytes than it declares. */
export function idxImagesHeader(count = 60000, side = 28): Buffer {
  const h = Buffer.alloc(16);
  h.writeUInt32BE(0x803, 0);
  h.writeUInt32BE(count, 4);
  h.writeUInt32BE(side, 8);
  h.writeUInt32BE(side, 12);
  return h;
}

export interface UploadAnswer {
  status: number;
  retryAfter: string | undefined;
  body: string;
  ms: number;
}

/** POST /v1/datasets as multipart/form-data with the given text fields and files (each a Buffer). */
export function uploadDataset(baseUrl: string, key: string, fields: Record<string, string>, files: Array<{ field: string; name: string; data: Buffer }>): Promise<UploadAnswer> {
  const boundary = `----nas${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  for (const f of files) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${f.field}"; filename="${f.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`));
    chunks.push(f.data, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  const body = Buffer.concat(chunks);
  const u = new URL('/v1/datasets', baseUrl);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': body.length } },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] as string | undefined, body: text, ms: Date.now() - started }));
      },
    );
    req.on('error', (e: NodeJS.ErrnoException) => {
      // the server may answer (413/429) and close before the whole body is sent
      if (e.code === 'EPIPE' || e.code === 'ECONNRESET') resolve({ status: -1, retryAfter: undefined, body: e.code, ms: Date.now() - started });
      else reject(e);
    });
    req.end(body);
  });
}

/** Creates a team directly in the database (as `npm run create-team` does) and returns its API key. */
export async function createTeamIn(dbUrl: string, name: string): Promise<string> {
  const { DataSource } = await import('typeorm');
  const { dataSourceOptions } = await import('../../src/database/data-source');
  const { AuthService } = await import('../../src/auth/auth.service');
  const { Team } = await import('../../src/auth/team.entity');
  const { ApiKey } = await import('../../src/auth/api-key.entity');
  const ds = new DataSource(dataSourceOptions(dbUrl));
  await ds.initialize();
  try {
    return (await new AuthService(ds.getRepository(Team), ds.getRepository(ApiKey)).createTeam(name)).key;
  } finally {
    await ds.destroy();
  }
}
