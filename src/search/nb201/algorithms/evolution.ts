export * from '../../core/evolution';
