// The trainer process boundary with real child processes (dist/src/trainer/child.js) running the
// diagnostic self-test tasks: crash/restart/resume, cancellation, SIGKILL after the grace period,
// protocol violations, task errors and the concurrency bound.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { InvalidInputError } from '../../src/common/errors';
import { TrainerAbortedError, TrainerCrashedError, TrainerProtocolError, TrainerTaskError, UnknownTaskError } from '../../src/trainer/errors';
import { TrainerSupervisor } from '../../src/trainer/supervisor';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // An orphan that exited is a zombie until init reaps it: it has stopped running, count it as gone.
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('TrainerSupervisor with real child processes', () => {
  let root: string;
  let sup: TrainerSupervisor;
  let n = 0;
  const dir = (): string => path.join(root, `run-${n++}`);
  const never = new AbortController().signal;

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'trainer-sup-'));
    sup = new TrainerSupervisor({ childArgs: ['--diagnostic-tasks'], maxRestarts: 2, cancelGraceMs: 2000, maxConcurrent: 2 });
  });
  after(async () => {
    await sup.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('runs a task to its result; progress and checkpoints arrive in order; superseded checkpoint files are pruned', async () => {
    const progress: number[] = [];
    const checkpoints: Array<[string, number]> = [];
    const pids: number[] = [];
    const d = dir();
    const r = await sup.run<unknown, { steps: number; resumedFromStep: number | null; sum: number }>(
      'diagnostic-count',
      { steps: 12, checkpointEvery: 4 },
      {
        checkpointDir: d,
        signal: never,
        onProgress: (p) => progress.push(p.step),
        onCheckpoint: (file, step) => {
          assert.ok(fs.existsSync(file), 'a checkpoint is announced only once its file exists');
          checkpoints.push([path.basename(file), step]);
        },
        onChildReady: ({ pid }) => pids.push(pid),
      },
    );
    assert.deepEqual(r, { steps: 12, resumedFromStep: null, sum: 78 });
    assert.deepEqual(progress, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    assert.deepEqual(checkpoints.map((c) => c[1]), [4, 8, 12]);
    assert.deepEqual(fs.readdirSync(d), ['step-0000000012.ckpt'], 'only the last recorded checkpoint is kept');
    assert.equal(pids.length, 1);
    assert.equal(alive(pids[0]), false, "the child has exited when run() resolves");
  });

  test('a child that crashes mid-task is restarted and resumes from its last checkpoint', async () => {
    const d = dir();
    const pids: number[] = [];
    const r = await sup.run<unknown, { steps: number; resumedFromStep: number | null; sum: number }>(
      'diagnostic-count',
      { steps: 20, checkpointEvery: 5, crashOnceAtStep: 13, markerFile: path.join(d, 'crashed-once') },
      { checkpointDir: d, signal: never, onChildReady: ({ pid }) => pids.push(pid) },
    );
    assert.equal(pids.length, 2, 'one restart');
    assert.notEqual(pids[0], pids[1]);
    assert.equal(r.resumedFromStep, 10, 'resumed from the checkpoint at step 10, the last one before the crash at 13');
    assert.deepEqual({ steps: r.steps, sum: r.sum }, { steps: 20, sum: 210 }, 'same sum as an uninterrupted count');
  });

  test('a task that always crashes ends in TrainerCrashedError after the bounded restarts', async () => {
    const pids: number[] = [];
    await assert.rejects(
      sup.run('diagnostic-crash', { mode: 'throw' }, { checkpointDir: dir(), signal: never, onChildReady: ({ pid }) => pids.push(pid) }),
      (e: unknown) => {
        assert.ok(e instanceof TrainerCrashedError, String(e));
        assert.equal(e.restarts, 2);
        assert.equal(e.exits.length, 3);
        assert.ok(e.exits.every((x) => x.code === 1), JSON.stringify(e.exits));
        assert.match(e.stderrTail, /diagnostic-crash: uncaught exception/);
        assert.match(e.message, /crashed 3 times/);
        return true;
      },
    );
    assert.equal(new Set(pids).size, 3, 'first start + 2 restarts');
  });

  test('cancel: the promise rejects with an AbortError and the child is gone within 3 s', async () => {
    const ac = new AbortController();
    let pid = 0;
    let abortedAt = 0;
    const p = sup.run('diagnostic-wait', {}, {
      checkpointDir: dir(),
      signal: ac.signal,
      onChildReady: (i) => (pid = i.pid),
      onProgress: () => {
        abortedAt = Date.now();
        ac.abort();
      },
    });
    await assert.rejects(p, (e: unknown) => e instanceof TrainerAbortedError && e.name === 'AbortError');
    const took = Date.now() - abortedAt;
    assert.ok(took < 3000, `cancel took ${took} ms`);
    assert.ok(pid > 0);
    assert.throws(() => process.kill(pid, 0), /ESRCH/, 'the child process is gone');
  });

  test('a child that ignores cancel is SIGKILLed after the grace period', async () => {
    const quick = new TrainerSupervisor({ childArgs: ['--diagnostic-tasks'], cancelGraceMs: 300 });
    const ac = new AbortController();
    let pid = 0;
    let abortedAt = 0;
    const p = quick.run('diagnostic-ignore-cancel', { ms: 20_000 }, {
      checkpointDir: dir(),
      signal: ac.signal,
      onChildReady: (i) => (pid = i.pid),
      onProgress: () => {
        abortedAt = Date.now();
        setTimeout(() => ac.abort(), 100); // the child is busy-looping by now
      },
    });
    await assert.rejects(p, TrainerAbortedError);
    const took = Date.now() - abortedAt;
    assert.ok(took < 3000, `cancel took ${took} ms`);
    assert.throws(() => process.kill(pid, 0), /ESRCH/);
    await quick.close();
  });

  test('a signal aborted before the start rejects without leaving a child', async () => {
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(sup.run('diagnostic-count', {}, { checkpointDir: dir(), signal: ac.signal }), TrainerAbortedError);
    assert.equal(sup.liveChildren, 0);
  });

  test('a malformed message from the child is a TrainerProtocolError (the child is killed, no restart)', async () => {
    const pids: number[] = [];
    await assert.rejects(
      sup.run('diagnostic-malformed', {}, { checkpointDir: dir(), signal: never, onChildReady: ({ pid }) => pids.push(pid) }),
      (e: unknown) => e instanceof TrainerProtocolError && /malformed progress message: step must be/.test(e.message),
    );
    assert.equal(pids.length, 1);
    assert.throws(() => process.kill(pids[0], 0), /ESRCH/);
  });

  test('task errors are not crashes: no restart, typed error (domain errors keep their class)', async () => {
    const pids: number[] = [];
    await assert.rejects(
      sup.run('diagnostic-fail', {}, { checkpointDir: dir(), signal: never, onChildReady: ({ pid }) => pids.push(pid) }),
      (e: unknown) => e instanceof TrainerTaskError && e.type === 'RangeError' && /on purpose/.test(e.message),
    );
    assert.equal(pids.length, 1);
    await assert.rejects(
      sup.run('linear-baseline', { epochs: 0 }, { checkpointDir: dir(), signal: never }),
      (e: unknown) => e instanceof InvalidInputError && /input.dataset/.test(e.message) && /input.epochs/.test(e.message),
    );
    await assert.rejects(sup.run('no-such-task', {}, { checkpointDir: dir(), signal: never }), (e: unknown) => e instanceof UnknownTaskError && /linear-baseline/.test(e.message));
  });

  test('diagnostic tasks are not served by a default child', async () => {
    const plain = new TrainerSupervisor();
    await assert.rejects(plain.run('diagnostic-crash', {}, { checkpointDir: dir(), signal: never }), UnknownTaskError);
    await plain.close();
  });

  test('kill -9 of the parent (the job worker) leaves no orphan trainer: the child exits on its own', async () => {
    const supervisorJs = require.resolve('../../src/trainer/supervisor');
    const script = `
      const { TrainerSupervisor } = require(${JSON.stringify(supervisorJs)});
      const s = new TrainerSupervisor({ childArgs: ['--diagnostic-tasks'] });
      s.run('diagnostic-wait', {}, { checkpointDir: ${JSON.stringify(dir())}, signal: new AbortController().signal,
        onChildReady: ({ pid }) => process.stdout.write('child ' + pid + '\\n') }).catch(() => {});`;
    const parent = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const childPid = await new Promise<number>((resolve, reject) => {
      let out = '';
      parent.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /child (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      parent.once('exit', () => reject(new Error(`parent exited early: ${out}`)));
    });
    assert.ok(alive(childPid));
    parent.kill('SIGKILL');
    await waitUntil(() => !alive(childPid), 3000);
  });

  test('at most maxConcurrent children run at once; the others wait for a slot', async () => {
    const one = new TrainerSupervisor({ childArgs: ['--diagnostic-tasks'], maxConcurrent: 1 });
    let live = 0;
    let maxLive = 0;
    const run = (): Promise<unknown> =>
      one.run('diagnostic-count', { steps: 3 }, {
        checkpointDir: dir(),
        signal: never,
        onChildReady: () => {
          live++;
          maxLive = Math.max(maxLive, live, one.liveChildren);
        },
      }).finally(() => live--);
    await Promise.all([run(), run(), run()]);
    assert.equal(maxLive, 1);
    await one.close();
  });
});

async function waitUntil(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
