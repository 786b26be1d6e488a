import type { Nb201Table } from '../../../benchmarks/nb201/types';
import { FieldViolation, InvalidInputError, violation } from '../../../common/errors';
import { ArchConstraint, allOf } from '../../../search/common/evaluator';
import type { Nb201SearchConstraints, Nb201SearchDataset } from './types';

/** FLOPs (NB201 convention, millions) on the dataset's input size <= max. */
export function maxFlopsConstraint(table: Nb201Table, dataset: Nb201SearchDataset, maxFlopsM: number): ArchConstraint {
  return {
    field: 'constraints.maxFlopsM',
    description: `FLOPs <= ${maxFlopsM} M (${dataset} input, NB201 multiply-add convention)`,
    feasible: (a) => table.flops(a.index, dataset) <= maxFlopsM,
  };
}

/** Parameters (millions) <= max. */
export function maxParamsConstraint(table: Nb201Table, dataset: Nb201SearchDataset, maxParamsM: number): ArchConstraint {
  return {
    field: 'constraints.maxParamsM',
    description: `params <= ${maxParamsM} M (${dataset} head)`,
    feasible: (a) => table.params(a.index, dataset) <= maxParamsM,
  };
}

/** HELP-measured latency on a device <= max; an arch without a measurement is infeasible. */
export function maxLatencyConstraint(table: Nb201Table, device: string, maxLatencyMs: number): ArchConstraint {
  return {
    field: 'constraints.maxLatencyMs',
    description: `latency on ${device} <= ${maxLatencyMs} ms (HELP measurement; archs without one are infeasible)`,
    feasible: (a) => table.latency(a.index, device) <= maxLatencyMs, // NaN <= x is false
  };
}

/** The constraints a spec asks for, in a fixed order (FLOPs, params, latency). */
export function nb201Constraints(table: Nb201Table, dataset: Nb201SearchDataset, c: Nb201SearchConstraints | undefined): ArchConstraint[] {
  const out: ArchConstraint[] = [];
  if (!c) return out;
  if (c.maxFlopsM !== undefined) out.push(maxFlopsConstraint(table, dataset, c.maxFlopsM));
  if (c.maxParamsM !== undefined) out.push(maxParamsConstraint(table, dataset, c.maxParamsM));
  if (c.maxLatencyMs !== undefined && c.device !== undefined) out.push(maxLatencyConstraint(table, c.device, c.maxLatencyMs));
  return out;
}

function countFeasible(table: Nb201Table, constraint: ArchConstraint): number {
  let n = 0;
  for (let i = 0; i < table.size; i++) if (constraint.feasible({ index: i, ops: table.ops(i) })) n++;
  return n;
}

function minOver(table: Nb201Table, f: (i: number) => number): number {
  let m = Infinity;
  for (let i = 0; i < table.size; i++) {
    const v = f(i);
    if (v < m) m = v;
  }
  return m;
}

/**
 * Checks a spec's constraints against the table: the device is known, a latency bound names a device, and some arch
 * of the whole space satisfies them (each alone, and all together). Throws InvalidInputError naming the fields.
 * Returns the number of feasible archs.
 */
export function assertConstraintsSatisfiable(table: Nb201Table, dataset: Nb201SearchDataset, c: Nb201SearchConstraints | undefined, knownDevices: readonly string[] = table.devices): number {
  const v: FieldViolation[] = [];
  if (c?.maxLatencyMs !== undefined && c.device === undefined) {
    v.push(violation('constraints.device', 'requiredWith', 'device is required when constraints.maxLatencyMs is set'));
  }
  if (c?.device !== undefined && (!knownDevices.includes(c.device) || !table.devices.includes(c.device))) {
    v.push(violation('constraints.device', 'isIn', `unknown device "${c.device}"; known devices: ${knownDevices.join(', ')}`));
  }
  if (v.length) throw new InvalidInputError(v.map((x) => `${x.field}: ${x.message}`).join('; '), v);

  const constraints = nb201Constraints(table, dataset, c);
  for (const k of constraints) {
    if (countFeasible(table, k) > 0) continue;
    let min = NaN;
    if (k.field === 'constraints.maxFlopsM') min = minOver(table, (i) => table.flops(i, dataset));
    else if (k.field === 'constraints.maxParamsM') min = minOver(table, (i) => table.params(i, dataset));
    else if (c?.device !== undefined) min = minOver(table, (i) => table.latency(i, c.device as string));
    v.push(violation(k.field, 'satisfiable', `no architecture of the ${table.size}-arch NB201 space satisfies ${k.description}; the minimum is ${min}`));
  }
  if (v.length) throw new InvalidInputError(`infeasible constraints: ${v.map((x) => x.message).join('; ')}`, v);
  if (constraints.length === 0) return table.size;
  const all = allOf(constraints);
  const n = countFeasible(table, all);
  if (n === 0) {
    const msg = `no architecture of the NB201 space satisfies all constraints together (${all.description})`;
    throw new InvalidInputError(msg, constraints.map((k) => violation(k.field, 'jointlySatisfiable', msg)));
  }
  return n;
}
