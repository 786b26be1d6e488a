export * from '../../core/index';
