/** ScaleNet science (Xie et al. 2022): spaces, path generation, cost, budgets, HSS, MCEA, generalisation. Pure TypeScript. */
export * from './space';
export * from './path';
export * from './cost';
export * from './budgets';
export * from './hss';
export * from './mcea';
export * from './generalise';
export * from './problem';
