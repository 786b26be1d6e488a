/**
 * The service as deployed: `node dist/src/main.js` in its own process (API only, IN_PROCESS_WORKER=false) on a
 * free loopback port, with a team created through the create-team CLI. Benchmarks measure it from outside.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import { REPO_ROOT } from '../../src/config/config';

export interface ServerProcess {
  baseUrl: string;
  apiKey: string;
  pid: number;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export async function startServerProcess(databaseUrl: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const port = await freePort();
  const childEnv = { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), HOST: '127.0.0.1', IN_PROCESS_WORKER: 'false', LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent', ...env };
  const created = spawnSync(process.execPath, [path.join(REPO_ROOT, 'dist/src/cli/create-team.js'), `bench-${port}-${Date.now().toString(36)}`], {
    env: childEnv,
    encoding: 'utf8',
  });
  if (created.status !== 0) throw new Error(`create-team failed: ${created.stderr}`);
  const apiKey = created.stdout.trim().split('\n').pop() as string;
  const child: ChildProcess = spawn(process.execPath, [path.join(REPO_ROOT, 'dist/src/main.js')], { env: childEnv, stdio: ['ignore', 'ignore', 'inherit'] });
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    const ok = await fetch(`${baseUrl}/readyz`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error('server did not become ready in 60 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    baseUrl,
    apiKey,
    pid: child.pid as number,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
