/** The evidence block of an nb201-search result: a NAS-Bench-201 table lookup, nothing trained. */
import type { Evidence } from '../../../jobs/evidence';
import type { Nb201SearchResult } from '../science/types';

export type Nb201SearchJobResult = Nb201SearchResult & { evidence: Evidence };

export function nb201SearchEvidence(r: Nb201SearchResult): Evidence {
  const s = r.searchMetric;
  const t = r.reportMetric;
  return {
    evaluation: 'benchmark-lookup',
    description:
      `${r.algorithm.name} search over the 15,625 NAS-Bench-201 cells with the table as evaluator (no network trained): the search saw ` +
      `${s.description}, the result reports ${t.description}.`,
    data: { dataset: r.dataset, source: 'NAS-Bench-201 table (data/nasbench201)', trainImages: null, evalImages: null, subset: false },
    schedule: {
      epochs: t.epochs,
      // the reported accuracy is the benchmark's full schedule; a short-schedule search metric is stated, not a shortening
      shortened: false,
      description: s.epochs === t.epochs ? `NAS-Bench-201's ${t.epochs}-epoch schedule` : `search metric from the ${s.epochs}-epoch schedule, report metric from the ${t.epochs}-epoch schedule`,
    },
    backend: null,
    groundTruth: {
      benchmark: `NAS-Bench-201 ${t.dataset} ${t.split} accuracy (%) after ${t.epochs} epochs`,
      comparison: 'regret: best feasible arch of the whole table minus the found arch, percentage points',
      figures: { regret: r.regret, foundTestAccuracy: r.bestRecord.testAccuracy, optimumTestAccuracy: r.constrainedOptimum.testAccuracy },
    },
  };
}
