import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request, RequestHandler, Response } from 'express';
import multer from 'multer';
import * as fs from 'node:fs';
import { Observable, catchError, from, map, mergeMap, throwError } from 'rxjs';
import type { AuthedRequest } from '../../auth/auth.decorators';
import { DomainError, InvalidInputError, violation } from '../../common/errors';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { DatasetsService } from '../datasets.service';
import { DiskUploadStorage, fileTooLarge } from './disk-upload-storage';
import { ALL_UPLOAD_FILE_FIELDS } from './upload-fields';

/** Bounds on the non-file parts of the multipart body. */
const TEXT_FIELD_MAX_BYTES = 4096;
const MAX_TEXT_FIELDS = 16;
const MAX_PARTS = 64;

/** multer error codes about the body's structure -> rule names in the problem. */
const STRUCTURE_RULES: Record<string, string> = {
  LIMIT_FILE_COUNT: 'maxFiles',
  LIMIT_FIELD_COUNT: 'maxTextFields',
  LIMIT_PART_COUNT: 'maxParts',
  LIMIT_FIELD_KEY: 'maxFieldNameBytes',
  MISSING_FIELD_NAME: 'fieldName',
  LIMIT_FIELD_NESTING: 'fieldName',
  LIMIT_FIELD_ARRAY_INDEX: 'fieldName',
  INVALID_FIELD_NAME: 'fieldName',
};

interface MulterLikeError {
  code?: string;
  field?: string;
  filename?: string;
  message?: string;
}

/**
 * Parses the multipart body of POST /v1/datasets with multer (req.files / req.body), each file streamed to a
 * temp file, never into memory. Before reading the body it takes one of the bounded upload slots (per process
 * and per team; beyond them a 429 with Retry-After); the slot and the temp files are released when the
 * response ends, whatever happened. Used instead of FileFieldsInterceptor because that one turns multer's errors into HttpExceptions that drop
 * the field name (a 413 would only say "File too large"); here every multer/busboy failure becomes a typed
 * domain error naming the field and the rule.
 */
@Injectable()
export class DatasetUploadInterceptor implements NestInterceptor {
  private readonly middleware: RequestHandler;
  /** Temp directory of each request's uploaded parts. */
  private readonly dirs = new WeakMap<Request, Promise<string>>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly datasets: DatasetsService,
  ) {
    const dirOf = (req: Request): Promise<string> => {
      let dir = this.dirs.get(req);
      if (!dir) {
        dir = this.datasets.storage.tempDir('upload');
        this.dirs.set(req, dir);
      }
      return dir;
    };
    this.middleware = multer({
      storage: new DiskUploadStorage(config.maxUploadBytes, config.maxUploadBytes, dirOf),
      limits: {
        fileSize: config.maxUploadBytes,
        files: ALL_UPLOAD_FILE_FIELDS.reduce((n, f) => n + f.maxCount, 0),
        fields: MAX_TEXT_FIELDS,
        parts: MAX_PARTS,
        fieldSize: TEXT_FIELD_MAX_BYTES,
        fieldNameSize: 100,
        headerPairs: 100,
      },
    }).fields(ALL_UPLOAD_FILE_FIELDS.map((f) => ({ name: f.field, maxCount: f.maxCount })));
  }

  async intercept(ctx: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const req = ctx.switchToHttp().getRequest<Request>();
    const res = ctx.switchToHttp().getResponse<Response>();
    if (!req.is('multipart/form-data')) {
      throw new InvalidInputError(`the body must be multipart/form-data, got ${req.headers['content-type'] ?? 'no Content-Type'}`, [
        violation('Content-Type', 'isMultipartFormData', 'must be multipart/form-data with the fields name, format and the dataset files'),
      ]);
    }
    const release = this.datasets.uploadSlots.acquire((req as AuthedRequest).team?.id ?? 'anonymous');
    // the temp files go before the answer is sent (and, should the client go away first, when the response closes)
    const cleanUp = async (): Promise<void> => {
      const dir = this.dirs.get(req);
      if (dir) await dir.then((d) => fs.promises.rm(d, { recursive: true, force: true })).catch(() => undefined);
    };
    res.once('close', () => {
      release();
      void cleanUp();
    });
    try {
      await new Promise<void>((resolve, reject) => {
        this.middleware(req, res, (err?: unknown) => (err ? reject(this.toDomainError(err)) : resolve()));
      });
    } catch (err) {
      await cleanUp();
      throw err;
    }
    return next.handle().pipe(
      mergeMap((value: unknown) => from(cleanUp()).pipe(map(() => value))),
      catchError((err: unknown) => from(cleanUp()).pipe(mergeMap(() => throwError(() => err)))),
    );
  }

  /** multer and busboy errors -> 4xx naming the field and the rule. */
  toDomainError(err: unknown): DomainError {
    if (err instanceof DomainError) return err;
    const e = err as MulterLikeError;
    const field = e.field ?? 'body';
    const known = ALL_UPLOAD_FILE_FIELDS.find((f) => f.field === e.field);
    switch (e.code) {
      case 'LIMIT_FILE_SIZE':
        return fileTooLarge({ fieldname: field, originalname: e.filename ?? '' }, this.config.maxUploadBytes);
      case 'LIMIT_UNEXPECTED_FILE':
        return known
          ? new InvalidInputError(`file field "${field}" takes at most ${known.maxCount} file(s)`, [violation(field, 'maxCount', `at most ${known.maxCount} file(s)`)])
          : new InvalidInputError(`unknown file field "${field}"`, [
              violation(field, 'knownFileField', `file fields are ${ALL_UPLOAD_FILE_FIELDS.map((f) => f.field).join(', ')}`),
            ]);
      case 'LIMIT_FIELD_VALUE':
        return new InvalidInputError(`text field "${field}" is longer than ${TEXT_FIELD_MAX_BYTES} bytes`, [
          violation(field, 'maxFieldBytes', `must be at most ${TEXT_FIELD_MAX_BYTES} bytes`),
        ]);
      default:
        if (e.code && e.code in STRUCTURE_RULES) {
          return new InvalidInputError(`multipart body rejected: ${e.message ?? e.code}${e.field ? ` (field "${e.field}")` : ''}`, [
            violation(field, STRUCTURE_RULES[e.code], e.message ?? e.code),
          ]);
        }
        // busboy: "Unexpected end of form", "Malformed part header", "Multipart: Boundary not found", aborted requests
        return new InvalidInputError(`malformed multipart/form-data body: ${e.message ?? String(err)}`, [
          violation('body', 'multipartFormData', e.message ?? 'malformed multipart body'),
        ]);
    }
  }
}
