import { TooManyRequestsError, violation } from '../../common/errors';

/** Seconds a refused upload is told to wait (Retry-After). */
export const UPLOAD_RETRY_AFTER_SECONDS = 5;

/**
 * Bounds the dataset uploads being received and checked at once: at most `perProcess` in this process and
 * `perTeam` per team. acquire() returns the release function (idempotent) or throws a 429 with Retry-After.
 */
export class UploadSlots {
  private total = 0;
  private readonly byTeam = new Map<string, number>();

  constructor(
    readonly perProcess: number,
    readonly perTeam: number,
  ) {}

  get active(): number {
    return this.total;
  }

  acquire(teamId: string): () => void {
    const team = this.byTeam.get(teamId) ?? 0;
    if (team >= this.perTeam) {
      throw new TooManyRequestsError(
        `your team already has ${team} dataset upload(s) in progress (at most ${this.perTeam} at once, MAX_CONCURRENT_UPLOADS_PER_TEAM); retry after ${UPLOAD_RETRY_AFTER_SECONDS} s`,
        [violation('body', 'maxConcurrentUploadsPerTeam', `at most ${this.perTeam} uploads of one team at once`)],
        UPLOAD_RETRY_AFTER_SECONDS,
      );
    }
    if (this.total >= this.perProcess) {
      throw new TooManyRequestsError(
        `the server is receiving ${this.total} dataset uploads (at most ${this.perProcess} at once, MAX_CONCURRENT_UPLOADS); retry after ${UPLOAD_RETRY_AFTER_SECONDS} s`,
        [violation('body', 'maxConcurrentUploads', `at most ${this.perProcess} uploads at once`)],
        UPLOAD_RETRY_AFTER_SECONDS,
      );
    }
    this.total++;
    this.byTeam.set(teamId, team + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total--;
      const left = (this.byTeam.get(teamId) ?? 1) - 1;
      if (left > 0) this.byTeam.set(teamId, left);
      else this.byTeam.delete(teamId);
    };
  }
}
