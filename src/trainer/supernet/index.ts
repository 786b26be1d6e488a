/** Weight-sharing supernet building blocks: elastic MBConv spaces (ScaleNet, NSS) and the NAS-Bench-201 cell space (SPOS, SE-NAS). */
export * from './masked';
export * from '../../search/spaces/mbconv';
export * from './mbconv-weights';
export * from './mbconv-forward';
export * from './mbconv-supernet';
export * from './nb201-supernet';
export * from './macro-supernet';
