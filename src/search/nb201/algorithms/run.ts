export * from '../../core/run';
