import { JobDto, JobEventDto } from './dto/job.dto';
import { JobEvent } from './job-event.entity';
import { Job } from './job.entity';

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function toJobDto(j: Job): JobDto {
  return {
    id: j.id,
    kind: j.kind,
    status: j.status,
    spec: j.spec,
    progress: j.progress,
    error: j.error,
    attempts: j.attempts,
    hasResult: j.result !== null,
    datasetId: j.datasetId,
    teamId: j.teamId,
    createdAt: j.createdAt.toISOString(),
    updatedAt: j.updatedAt.toISOString(),
    startedAt: iso(j.startedAt),
    finishedAt: iso(j.finishedAt),
    cancelRequestedAt: iso(j.cancelRequestedAt),
  };
}

export function toEventDto(e: JobEvent): JobEventDto {
  return { id: String(e.id), type: e.type, data: e.data, createdAt: e.createdAt.toISOString() };
}
