export * from '../../core/random';
