export * from './layers';
export * from './counter';
