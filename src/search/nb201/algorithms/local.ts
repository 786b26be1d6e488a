export * from '../../core/local';
