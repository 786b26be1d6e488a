/** Weight-sharing supernet building blocks for elastic MBConv spaces (ScaleNet, NSS). */
export * from './masked';
export * from './mbconv-space';
export * from './mbconv-weights';
export * from './mbconv-forward';
export * from './mbconv-supernet';
