import 'reflect-metadata';
import { INestApplication, INestApplicationContext, VersioningType } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import type { AppRole } from './app-role';
import { ExpressPrototypeAdapter } from './common/express-adapter';
import { applyApiConventions } from './common/openapi-conventions';
import { ProblemFilter } from './common/problem.filter';
import { createValidationPipe } from './common/validation';
import { JobKindRegistry } from './jobs/job-kind.registry';
import { AppConfig } from './config/config';

/** Nest application with everything the HTTP API needs (versioning, validation, problems, docs). */
export async function createHttpApp(config: AppConfig, databaseUrl: string, role: AppRole): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, databaseUrl, role), new ExpressPrototypeAdapter(), {
    bufferLogs: true,
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  app.useBodyParser('json', { limit: '8mb' });
  app.enableVersioning({ type: VersioningType.URI });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ProblemFilter());
  // no enableShutdownHooks: main.ts / worker.ts close once on a signal (src/common/shutdown.ts)
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), { jsonDocumentUrl: 'docs/openapi.json' });
  return app;
}

/** Worker-only process: no HTTP server, same modules. */
export async function createWorkerContext(config: AppConfig, databaseUrl: string): Promise<INestApplicationContext> {
  const ctx = await NestFactory.createApplicationContext(AppModule.forRoot(config, databaseUrl, { worker: true }), { bufferLogs: true });
  ctx.useLogger(ctx.get(Logger));
  return ctx;
}

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const cfg = new DocumentBuilder()
    .setTitle('NAS service')
    .setDescription(
      'Neural-architecture search as a service. Submit jobs (searches) against datasets and budgets; ' +
        'query the bundled NAS-Bench-201 benchmark. Errors are RFC 9457 problem documents.',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API key of a team' })
    .build();
  // each job kind's spec schema is published so clients can build valid `spec` objects
  const kinds = app.get(JobKindRegistry).all();
  const extraModels = kinds.flatMap((k) => (k.resultClass ? [k.specClass, k.resultClass] : [k.specClass]));
  const doc = SwaggerModule.createDocument(app, cfg, { extraModels, operationIdFactory: (controllerKey, methodKey) => `${controllerKey.replace(/Controller$/, '')}_${methodKey}` });
  return applyApiConventions(doc, {
    specSchemas: kinds.map((k) => k.specClass.name),
    resultSchemas: kinds.flatMap((k) => (k.resultClass ? [k.resultClass.name] : [])),
    untypedResults: kinds.some((k) => !k.resultClass),
  });
}
