export * from '../../common/rng';
