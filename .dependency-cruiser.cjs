/**
 * Dependency rules (checked in CI by `npm run lint`): the science stays free of Nest, the database and the trainer
 * process; methods do not import each other; the method-free libraries (trainer/, search/) import no method; no cycles.
 */
const SCIENCE = '^src/(methods/[^/]+/science|search/(core|spaces|common)|common/rng\\.ts)';
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import cycles make load order fragile (type-only imports load nothing at run time and do not count).',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'science-is-pure',
      severity: 'error',
      comment: 'Science runs in Piscina workers, trainer processes and unit tests: no Nest, TypeORM, pg or pg-boss.',
      from: { path: SCIENCE },
      to: { path: 'node_modules/(@nestjs|typeorm|pg|pg-boss|@tensorflow/tfjs-node)' },
    },
    {
      name: 'science-not-on-services',
      severity: 'error',
      comment: 'Science does not import the process plumbing, the database or the Nest domains.',
      from: { path: SCIENCE },
      to: { path: '^src/(trainer/(child|supervisor|protocol|trainer\\.)|database/|jobs/|auth/|artifacts/|health/|methods/[^/]+/(job|training)/)' },
    },
    {
      name: 'methods-are-independent',
      severity: 'error',
      comment: 'A method is one folder; methods share code only through the method-free libraries.',
      from: { path: '^src/methods/([^/]+)/' },
      to: { path: '^src/methods/', pathNot: '^src/methods/($1/|method\\.ts$)' },
    },
    {
      name: 'libraries-are-method-free',
      severity: 'error',
      comment:
        'trainer/ and search/ serve every method and import none. The two task tables are the one seam: they load the ' +
        "methods' tasks from src/methods/registry.ts (lazily, in the trainer child and the pool worker).",
      from: { path: '^src/(trainer|search)/', pathNot: '^src/(trainer/tasks/index|search/pool/tasks)\\.ts$' },
      to: { path: '^src/methods/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    exclude: { path: '^(dist|openapi/client)' },
  },
};
