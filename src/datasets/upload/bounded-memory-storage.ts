import type { Request } from 'express';
import type { StorageEngine } from 'multer';
import { PayloadTooLargeError, violation } from '../../common/errors';

/**
 * multer storage engine that keeps files in memory (like multer.memoryStorage()) and bounds both the bytes of
 * each file and the total bytes of all files of one request: the part that crosses a bound fails with a 413
 * naming its field and the rule. (multer's own `limits.fileSize` stays set as a backstop, but its error does not
 * survive with the field name through every path, and nothing in multer bounds the sum.)
 */
export class BoundedMemoryStorage implements StorageEngine {
  private readonly totals = new WeakMap<Request, number>();

  constructor(
    readonly maxFileBytes: number,
    readonly maxTotalBytes: number,
  ) {}

  _handleFile(req: Request, file: Express.Multer.File, callback: (error?: Error | null, info?: Partial<Express.Multer.File>) => void): void {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (err: Error | null, info?: Partial<Express.Multer.File>): void => {
      if (settled) return;
      settled = true;
      callback(err, info);
    };
    file.stream.on('data', (chunk: Buffer) => {
      if (settled) return;
      const total = (this.totals.get(req) ?? 0) + chunk.length;
      this.totals.set(req, total);
      if (size + chunk.length > this.maxFileBytes) {
        chunks.length = 0;
        settle(fileTooLarge(file, this.maxFileBytes));
        file.stream.resume();
        return;
      }
      if (total > this.maxTotalBytes) {
        chunks.length = 0;
        settle(
          new PayloadTooLargeError(`the uploaded files exceed ${this.maxTotalBytes} bytes in total (limit reached in file field "${file.fieldname}")`, [
            violation(file.fieldname, 'maxTotalUploadBytes', `all files together must be at most ${this.maxTotalBytes} bytes`),
          ]),
        );
        file.stream.resume();
        return;
      }
      chunks.push(chunk);
      size += chunk.length;
    });
    file.stream.on('end', () => settle(null, { buffer: Buffer.concat(chunks, size), size }));
    file.stream.on('error', (err: Error) => settle(err));
  }

  _removeFile(_req: Request, file: Express.Multer.File, callback: (error: Error | null) => void): void {
    delete (file as Partial<Express.Multer.File>).buffer;
    callback(null);
  }
}

/** 413 for one file over the per-file limit. */
export function fileTooLarge(file: Pick<Express.Multer.File, 'fieldname' | 'originalname'>, maxFileBytes: number): PayloadTooLargeError {
  const name = file.originalname ? ` ("${file.originalname}")` : '';
  return new PayloadTooLargeError(`file field "${file.fieldname}"${name} is larger than ${maxFileBytes} bytes`, [
    violation(file.fieldname, 'maxFileBytes', `each file must be at most ${maxFileBytes} bytes`),
  ]);
}
