export * from '../../core/types';
