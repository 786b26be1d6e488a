export * from './types';
export * from './cell-search';
export * from './run';
export { RandomSearch } from './random';
export { RegularizedEvolution, EVOLUTION_DEFAULTS, EVOLUTION_STALL_LIMIT, EVOLUTION_FEASIBLE_TRIES, mutate, mutateFeasible } from './evolution';
export { LocalSearch } from './local';
export * from './nsga2';
export * from './nsga2-loop';
export * from './cell-nsga2';
