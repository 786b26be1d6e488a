// Gzip bombs against the API running in its own process (so its RSS is its own): concurrent 1 GiB-of-zeros
// uploads (about 1 MiB each, gzipped) from several teams keep the server's memory bounded (peak RSS less than
// 512 MiB above idle), every bomb is refused (413 or 422, or 429 beyond the concurrent-upload limits, with
// Retry-After), no temp file is left, and the server still takes a real dataset afterwards.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as zlib from 'node:zlib';
import { createTeamIn, gzipBomb, idxImagesHeader, sampleRss, ServerProcess, startServerProcess, uploadDataset } from '../../benchmarks/upload-memory/server';
import { loadConfig } from '../../src/config/config';
import { createTestDatabase } from '../support/harness';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const IMAGES = path.join(loadConfig().dataDir, 'images');

describe('upload memory is bounded whatever clients upload (server in its own process)', () => {
  let db: { url: string; drop(): Promise<void> };
  let server: ServerProcess;
  const keys: string[] = [];

  before(async () => {
    db = await createTestDatabase();
    // default limits (MAX_UPLOAD_BYTES 256 MiB, MAX_UPLOAD_IMAGES 100000, 4 uploads at once, 2 per team)
    server = await startServerProcess(db.url);
    for (let i = 0; i < 4; i++) keys.push(await createTeamIn(db.url, `bomber-${i}`));
  });
  after(async () => {
    await server?.stop();
    await db?.drop();
  });

  test('8 concurrent 1 GiB gzip bombs from 4 teams: all refused, 429 beyond the limits, peak RSS < idle + 512 MiB, memory released', async () => {
    const cifarBomb = gzipBomb(GiB); // zeros = valid CIFAR-10 records (label 0) until the image bound is reached
    const idxBomb = gzipBomb(GiB, idxImagesHeader()); // a valid IDX header, then far more bytes than it declares
    assert.ok(cifarBomb.length < 2 * MiB && idxBomb.length < 2 * MiB, `bombs are small: ${cifarBomb.length}, ${idxBomb.length}`);
    const smallTest = zlib.gunzipSync(fs.readFileSync(path.join(IMAGES, 'cifar10/cifar10_test_first846.bin.gz'))).subarray(0, 3073 * 10);
    const labels = Buffer.alloc(8 + 10);
    labels.writeUInt32BE(0x801, 0);
    labels.writeUInt32BE(10, 4);
    await new Promise((r) => setTimeout(r, 1000));
    const idle = server.rss();
    const sampler = sampleRss(() => server.rss());
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        i % 2 === 0
          ? uploadDataset(server.baseUrl, keys[i % 4], { name: `bomb-${i}`, format: 'cifar10-binary' }, [
              { field: 'train', name: 'data_batch_1.bin.gz', data: cifarBomb },
              { field: 'test', name: 'test_batch.bin', data: smallTest },
            ])
          : uploadDataset(server.baseUrl, keys[i % 4], { name: `bomb-${i}`, format: 'mnist-idx' }, [
              { field: 'trainImages', name: 'train-images.gz', data: idxBomb },
              { field: 'trainLabels', name: 'l', data: labels },
              { field: 'testImages', name: 'ti', data: idxImagesHeader(10) },
              { field: 'testLabels', name: 'tl', data: labels },
            ]),
      ),
    );
    const peak = sampler.stop();
    const statuses = answers.map((a) => a.status);
    process.stdout.write(
      `# idle RSS ${(idle / MiB).toFixed(0)} MiB, peak ${(peak / MiB).toFixed(0)} MiB (+${((peak - idle) / MiB).toFixed(0)} MiB); statuses ${statuses.join(',')}; ` +
        `slowest ${Math.max(...answers.map((a) => a.ms))} ms\n`,
    );
    assert.ok(statuses.every((s) => s === 413 || s === 422 || s === 429), `every bomb refused: ${statuses.join(',')}`);
    assert.ok(statuses.includes(429), 'beyond 4 at once (and 2 per team) uploads get 429');
    for (const a of answers.filter((x) => x.status === 429)) {
      assert.ok(Number(a.retryAfter) >= 1, `429 has Retry-After: ${a.retryAfter}`);
      assert.match(a.body, /maxConcurrentUploads/);
    }
    for (const a of answers.filter((x) => x.status === 413)) assert.match(a.body, /maxUploadImages|maxDecompressedBytes/);
    for (const a of answers.filter((x) => x.status === 422)) assert.match(a.body, /idxLength/);
    assert.ok(peak - idle < 512 * MiB, `peak RSS ${(peak / MiB).toFixed(0)} MiB is less than 512 MiB above idle ${(idle / MiB).toFixed(0)} MiB`);
    const left = fs.readdirSync(path.join(server.storageDir, 'datasets')).filter((n) => n.startsWith('.tmp-'));
    assert.deepEqual(left, [], 'no temp files left');

    // the slots were released: a real (small) upload goes through
    const ok = await uploadDataset(server.baseUrl, keys[0], { name: 'real', format: 'cifar10-binary' }, [
      { field: 'train', name: 'b1', data: smallTest },
      { field: 'test', name: 't', data: smallTest },
    ]);
    assert.equal(ok.status, 201, ok.body);
    await new Promise((r) => setTimeout(r, 2000));
    const settled = server.rss();
    process.stdout.write(`# RSS 2 s after: ${(settled / MiB).toFixed(0)} MiB\n`);
    assert.ok(settled - idle < 256 * MiB, `memory released: ${(settled / MiB).toFixed(0)} MiB vs idle ${(idle / MiB).toFixed(0)} MiB`);
  });
});
