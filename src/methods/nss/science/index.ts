/** Network Space Search (Hong et al.): Expanded Search Space, exact costs, Theta, FLOPs objective, Elite Space. */
export * from './space';
export * from './cost';
export * from './flops-distribution';
export * from './theta';
export * from './flops-loss';
export * from './elite';
export * from './nas-in-space';
