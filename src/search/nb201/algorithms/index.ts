export * from './types';
export * from './cell-search';
export * from './run';
export { RandomSearch } from './random';
export { RegularizedEvolution, EVOLUTION_DEFAULTS, EVOLUTION_STALL_LIMIT, mutate } from './evolution';
export { LocalSearch } from './local';
