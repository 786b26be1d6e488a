import type { Request } from 'express';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { StorageEngine } from 'multer';
import { PayloadTooLargeError, violation } from '../../common/errors';

/**
 * multer storage engine that streams each file part to its own file in the request's temp directory (never into
 * memory) and bounds the bytes of each file and of all files of one request: the part that crosses a bound fails
 * with a 413 naming its field and the rule, and the rest of the body is drained unread. `dirOf(req)` gives the
 * request's temp directory (created on first use); whoever creates it removes it when the request ends.
 */
export class DiskUploadStorage implements StorageEngine {
  private readonly totals = new WeakMap<Request, number>();
  private readonly counters = new WeakMap<Request, number>();

  constructor(
    readonly maxFileBytes: number,
    readonly maxTotalBytes: number,
    private readonly dirOf: (req: Request) => Promise<string>,
  ) {}

  _handleFile(req: Request, file: Express.Multer.File, callback: (error?: Error | null, info?: Partial<Express.Multer.File>) => void): void {
    let settled = false;
    const settle = (err: Error | null, info?: Partial<Express.Multer.File>): void => {
      if (settled) return;
      settled = true;
      callback(err, info);
    };
    const n = (this.counters.get(req) ?? 0) + 1;
    this.counters.set(req, n);
    file.stream.pause();
    this.dirOf(req).then(
      (dir) => {
        const target = path.join(dir, `part-${n}`);
        const out = fs.createWriteStream(target, { flags: 'wx' });
        let size = 0;
        const fail = (err: Error): void => {
          settle(err);
          file.stream.unpipe(out);
          out.destroy();
          fs.rm(target, { force: true }, () => undefined);
          file.stream.resume(); // drain the rest of this part unread
        };
        file.stream.on('data', (chunk: Buffer) => {
          if (settled) return;
          const total = (this.totals.get(req) ?? 0) + chunk.length;
          this.totals.set(req, total);
          if (size + chunk.length > this.maxFileBytes) return fail(fileTooLarge(file, this.maxFileBytes));
          if (total > this.maxTotalBytes) {
            return fail(
              new PayloadTooLargeError(`the uploaded files exceed ${this.maxTotalBytes} bytes in total (limit reached in file field "${file.fieldname}")`, [
                violation(file.fieldname, 'maxTotalUploadBytes', `all files together must be at most ${this.maxTotalBytes} bytes`),
              ]),
            );
          }
          size += chunk.length;
          if (!out.write(chunk)) {
            file.stream.pause();
            out.once('drain', () => file.stream.resume());
          }
        });
        file.stream.on('end', () => {
          if (settled) return;
          out.end(() => settle(null, { path: target, size, destination: dir, filename: path.basename(target) }));
        });
        file.stream.on('error', (err: Error) => fail(err));
        out.on('error', (err: Error) => fail(err));
        file.stream.resume();
      },
      (err: Error) => {
        settle(err);
        file.stream.resume();
      },
    );
  }

  _removeFile(_req: Request, file: Express.Multer.File, callback: (error: Error | null) => void): void {
    if (!file.path) return callback(null);
    fs.rm(file.path, { force: true }, (err) => callback(err ?? null));
  }
}

/** 413 for one file over the per-file limit. */
export function fileTooLarge(file: Pick<Express.Multer.File, 'fieldname' | 'originalname'>, maxFileBytes: number): PayloadTooLargeError {
  const name = file.originalname ? ` ("${file.originalname}")` : '';
  return new PayloadTooLargeError(`file field "${file.fieldname}"${name} is larger than ${maxFileBytes} bytes`, [
    violation(file.fieldname, 'maxFileBytes', `each file must be at most ${maxFileBytes} bytes`),
  ]);
}
