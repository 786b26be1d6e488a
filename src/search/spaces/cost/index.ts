export * from './layers';
export * from './counter';
export * from './latency';
