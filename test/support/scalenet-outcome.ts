import type { ScaleNetFamilyResult } from '../../src/methods/scalenet/training/family.task';

/**
 * A scalenet-family result without what may differ between an interrupted-and-resumed run and an uninterrupted one:
 * wall-clock figures, the resume marker, notes, and (when members were retrained) retraining times and file paths.
 */
export function familyOutcome(r: ScaleNetFamilyResult): unknown {
  const c = JSON.parse(JSON.stringify(r)) as Record<string, Record<string, unknown>>;
  for (const k of ['wallSeconds', 'trainSeconds', 'searchSeconds']) delete c.searchCost[k];
  delete c.supernet.imagesPerSecond;
  delete c.resumedFrom;
  delete c.notes;
  const rt = c.retrain as unknown as { seconds?: number; members: Array<Record<string, unknown>> } | null;
  if (rt) {
    delete rt.seconds;
    for (const m of rt.members) {
      delete m.seconds;
      delete m.file;
    }
  }
  return c;
}
