export * from '../../core/cell-search';
