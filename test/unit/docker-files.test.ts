import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT } from '../../src/config/config';

// Parse checks only: no Docker engine or Kubernetes cluster runs in development or CI (see docker/README.md).

/** The checkout: REPO_ROOT, or the working directory when the tests were compiled to another folder. */
function repoRoot(): string {
  const ok = (dir: string): boolean => fs.existsSync(path.join(dir, 'docker', 'compose.yaml')) && fs.existsSync(path.join(dir, 'package.json'));
  const root = [REPO_ROOT, process.cwd()].find(ok);
  if (!root) throw new Error(`no checkout with docker/compose.yaml at ${REPO_ROOT} or ${process.cwd()}`);
  return root;
}
const ROOT = repoRoot();
const DOCKER = path.join(ROOT, 'docker');
const K8S = path.join(DOCKER, 'k8s');
/** Where the Dockerfile puts the repository's data/ (WORKDIR /app). */
const IMAGE_DATA_DIR = '/app/data';

type Obj = Record<string, unknown>;
const obj = (v: unknown, what: string): Obj => {
  assert.ok(v !== null && typeof v === 'object' && !Array.isArray(v), `${what} is a mapping`);
  return v as Obj;
};
const arr = (v: unknown, what: string): unknown[] => {
  assert.ok(Array.isArray(v), `${what} is a list`);
  return v;
};

/** Every document of a YAML file (merge keys on, as Compose reads them); fails on any parse error or warning. */
function loadYaml(file: string): Obj[] {
  const docs = parseAllDocuments(fs.readFileSync(file, 'utf8'), { merge: true });
  assert.ok(Array.isArray(docs), `${file} parses`);
  for (const d of docs) {
    assert.deepEqual(d.errors.map(String), [], `${file} has no YAML errors`);
    assert.deepEqual(d.warnings.map(String), [], `${file} has no YAML warnings`);
  }
  return docs.map((d) => obj(d.toJS(), `a document of ${file}`));
}

/** `dist/src/a/b.js` -> `src/a/b.ts` must exist (tsconfig: rootDir ".", outDir "dist"). */
function assertCompiledFrom(distPath: string): void {
  const m = /^dist\/(.+)\.js$/.exec(distPath);
  assert.ok(m, `${distPath} is a compiled file under dist/`);
  assert.ok(fs.existsSync(path.join(ROOT, `${m[1]}.ts`)), `${distPath} is compiled from ${m[1]}.ts, which exists`);
}

/** Instructions of a Dockerfile with continuation lines joined and comments dropped. */
function dockerInstructions(text: string): Array<{ op: string; args: string }> {
  const out: Array<{ op: string; args: string }> = [];
  let buf = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!buf && (line === '' || line.startsWith('#'))) continue;
    if (line.endsWith('\\')) {
      buf += `${line.slice(0, -1)} `;
      continue;
    }
    const full = buf + line;
    buf = '';
    const m = /^([A-Za-z]+)\s+(.*)$/.exec(full);
    assert.ok(m, `Dockerfile instruction "${full}"`);
    out.push({ op: m[1].toUpperCase(), args: m[2] });
  }
  return out;
}

describe('docker/Dockerfile', () => {
  const ins = dockerInstructions(fs.readFileSync(path.join(DOCKER, 'Dockerfile'), 'utf8'));
  const args = (op: string): string[] => ins.filter((i) => i.op === op).map((i) => i.args);

  test('multi-stage on node:20-bookworm-slim: npm ci, npm run build, prune dev deps', () => {
    assert.ok(args('ARG').includes('NODE_IMAGE=node:20-bookworm-slim'));
    const froms = args('FROM');
    assert.ok(froms.length >= 2, 'at least a build and a runtime stage');
    assert.equal(froms[0], '${NODE_IMAGE} AS build');
    assert.ok(froms.includes('${NODE_IMAGE} AS runtime'));
    const run = args('RUN').join('\n');
    assert.match(run, /\bnpm ci\b/);
    assert.match(run, /\bnpm run build\b/);
    assert.match(run, /\bnpm prune --omit=dev\b/);
    assert.ok(args('COPY').some((c) => c.startsWith('--from=build') && c.includes('/app/dist')));
  });

  test('COPY sources exist and are not excluded by docker/Dockerfile.dockerignore', () => {
    const ignored = fs
      .readFileSync(path.join(DOCKER, 'Dockerfile.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    assert.ok(ignored.includes('**/node_modules') && ignored.includes('dist'), 'node_modules and dist stay out of the context');
    for (const c of args('COPY').filter((a) => !a.startsWith('--from'))) {
      const parts = c.split(/\s+/);
      for (const src of parts.slice(0, -1)) {
        assert.ok(fs.existsSync(path.join(ROOT, src)), `COPY source ${src} exists in the build context`);
        assert.ok(!ignored.includes(src), `COPY source ${src} is not in the dockerignore`);
      }
    }
  });

  test('the image compiles only the folders it copies: no source there imports from outside them', () => {
    const copied = args('COPY')
      .filter((a) => !a.startsWith('--from'))
      .flatMap((a) => a.split(/\s+/).slice(0, -1))
      .map((src) => path.join(ROOT, src))
      .filter((p) => fs.existsSync(p) && fs.statSync(p).isDirectory());
    assert.ok(copied.includes(path.join(ROOT, 'src')) && copied.includes(path.join(ROOT, 'migrations')));
    const walk = (dir: string): string[] =>
      fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
    const files = copied.flatMap(walk);
    assert.ok(files.length > 10);
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|require\(\s*)'(\.{1,2}\/[^']*)'/g)) {
        const target = path.resolve(path.dirname(file), m[1]);
        assert.ok(
          copied.some((dir) => target === dir || target.startsWith(dir + path.sep)),
          `${path.relative(ROOT, file)} imports ${m[1]}, outside the folders the Dockerfile copies`,
        );
      }
    }
  });

  test('runs as a non-root user, CMD is the API and the compiled entry points exist as sources', () => {
    const users = args('USER');
    assert.ok(users.length > 0);
    assert.notEqual(users[users.length - 1], 'root', 'the last USER is not root');
    const cmds = args('CMD').map((c) => JSON.parse(c) as string[]);
    assert.deepEqual(cmds[0], ['node', 'dist/src/main.js']);
    assert.ok(cmds.some((c) => c.join(' ') === 'node dist/src/worker.js'), 'the trainer target runs the worker');
    for (const c of cmds) assertCompiledFrom(c[1]);
    const tsconfig = JSON.parse(fs.readFileSync(path.join(ROOT, 'tsconfig.json'), 'utf8')) as { compilerOptions: { rootDir: string; outDir: string } };
    assert.equal(tsconfig.compilerOptions.rootDir, '.', 'dist/src/... mirrors src/...');
    assert.equal(tsconfig.compilerOptions.outDir, 'dist');
    const env = args('ENV').join(' ');
    assert.match(env, /HOST=0\.0\.0\.0/, 'the API listens beyond loopback inside the container');
    assert.ok(env.includes(`NAS_DATA_DIR=${IMAGE_DATA_DIR}`), 'NAS_DATA_DIR is the bundled data folder of the image');
  });

  test('the runtime image carries the bundled data/ (every folder with its PROVENANCE.md) at NAS_DATA_DIR', () => {
    const runtimeFrom = ins.findIndex((i) => i.op === 'FROM' && i.args === '${NODE_IMAGE} AS runtime');
    const runtime = ins.slice(runtimeFrom + 1);
    const workdir = runtime.find((i) => i.op === 'WORKDIR')?.args;
    assert.equal(workdir, '/app');
    const copy = runtime.filter((i) => i.op === 'COPY' && !i.args.startsWith('--from')).map((i) => i.args.split(/\s+/));
    assert.ok(copy.some(([src, dest]) => src === 'data' && path.posix.resolve(workdir, dest) === IMAGE_DATA_DIR), 'COPY data ./data in the runtime stage');
    for (const dir of ['nasbench201', 'natsbench_sss', 'nasbench_macro', 'images']) {
      assert.ok(fs.existsSync(path.join(ROOT, 'data', dir, 'PROVENANCE.md')), `data/${dir}/PROVENANCE.md is committed`);
    }
  });
});

describe('docker/compose.yaml', () => {
  const docs = loadYaml(path.join(DOCKER, 'compose.yaml'));
  const compose = docs[0];
  const services = obj(compose.services, 'services');
  const svc = (name: string): Obj => obj(services[name], `service ${name}`);
  const env = (name: string): Obj => obj(svc(name).environment, `${name}.environment`);

  test('one document with postgres, migrate, api and worker services', () => {
    assert.equal(docs.length, 1);
    for (const name of ['postgres', 'migrate', 'api', 'worker']) assert.ok(services[name], `service ${name}`);
  });

  test('postgres:16 with a healthcheck and a data volume', () => {
    const pg = svc('postgres');
    assert.equal(pg.image, 'postgres:16');
    assert.match(arr(obj(pg.healthcheck, 'healthcheck').test, 'healthcheck.test').join(' '), /pg_isready/);
    const vols = arr(pg.volumes, 'postgres.volumes').map((v) => obj(v, 'volume'));
    assert.ok(vols.some((v) => v.type === 'volume' && v.target === '/var/lib/postgresql/data' && obj(compose.volumes, 'volumes')[String(v.source)] !== undefined));
  });

  test('api, worker and migrate run the same image with their commands, after postgres is healthy', () => {
    const image = svc('api').image;
    assert.ok(typeof image === 'string' && image.length > 0);
    const build = obj(svc('api').build, 'api.build');
    assert.ok(fs.existsSync(path.resolve(DOCKER, String(build.context), String(build.dockerfile))), 'build.dockerfile exists');
    const commands: Record<string, string> = { api: 'dist/src/main.js', worker: 'dist/src/worker.js', migrate: 'dist/src/cli/migrate.js' };
    for (const [name, entry] of Object.entries(commands)) {
      assert.equal(svc(name).image, image, `${name} uses the api image`);
      assert.deepEqual(svc(name).command, ['node', entry]);
      assertCompiledFrom(entry);
      assert.equal(obj(obj(svc(name).depends_on, 'depends_on').postgres, 'depends_on.postgres').condition, 'service_healthy');
    }
    for (const name of ['api', 'worker']) {
      assert.equal(obj(obj(svc(name).depends_on, 'depends_on').migrate, 'depends_on.migrate').condition, 'service_completed_successfully');
    }
  });

  test('environment: DATABASE_URL on the postgres service, API without in-process worker, two worker replicas', () => {
    for (const name of ['api', 'worker', 'migrate']) {
      const url = new URL(String(env(name).DATABASE_URL).replace(/\$\{[^}]+\}/g, 'x'));
      assert.equal(url.protocol, 'postgres:');
      assert.equal(url.hostname, 'postgres');
      assert.equal(url.pathname, `/${String(env('postgres').POSTGRES_DB)}`);
    }
    assert.equal(env('api').IN_PROCESS_WORKER, 'false');
    assert.equal(env('api').HOST, '0.0.0.0');
    assert.ok(arr(svc('api').ports, 'api.ports').some((p) => String(p).endsWith(`:${String(env('api').PORT)}`)));
    assert.equal(obj(svc('worker').deploy, 'worker.deploy').replicas, 2);
  });

  test('the data is in the image (no host folder mounted for it); one storage volume at STORAGE_DIR for api and workers', () => {
    const storageSources = new Set<string>();
    for (const name of ['api', 'worker', 'migrate']) {
      const e = env(name);
      assert.equal(e.NAS_DATA_DIR, IMAGE_DATA_DIR, `${name}: NAS_DATA_DIR is the image's data folder`);
      const vols = arr(svc(name).volumes ?? [], `${name}.volumes`).map((v) => obj(v, 'volume'));
      assert.ok(!vols.some((v) => v.type === 'bind'), `${name}: no host folder is bind-mounted`);
      assert.ok(!vols.some((v) => String(v.target).startsWith(IMAGE_DATA_DIR) || v.target === '/data'), `${name}: nothing is mounted over the bundled data`);
      if (name === 'migrate') continue;
      const storage = vols.find((v) => v.target === e.STORAGE_DIR);
      assert.ok(storage && storage.type === 'volume', `${name}: a named volume at STORAGE_DIR`);
      storageSources.add(String(storage.source));
    }
    assert.equal(storageSources.size, 1, 'api and workers share the storage volume');
    assert.ok(obj(compose.volumes, 'volumes')[[...storageSources][0]] !== undefined);
  });
});

describe('docker/k8s manifests', () => {
  const files = fs.readdirSync(K8S).filter((f) => f.endsWith('.yaml')).sort();
  const manifests = files.filter((f) => f !== 'kustomization.yaml');
  const docs = manifests.flatMap((f) => loadYaml(path.join(K8S, f)).map((d) => ({ file: f, doc: d })));
  const meta = (d: Obj): Obj => obj(d.metadata, 'metadata');
  const find = (kind: string, name: string): Obj => {
    const hit = docs.find(({ doc }) => doc.kind === kind && meta(doc).name === name);
    assert.ok(hit, `${kind}/${name} exists`);
    return hit.doc;
  };
  const podSpec = (d: Obj): Obj => obj(obj(obj(d.spec, 'spec').template, 'template').spec, 'pod spec');
  const container = (d: Obj): Obj => obj(arr(podSpec(d).containers, 'containers')[0], 'container');
  const workloads = (): Obj[] => docs.map(({ doc }) => doc).filter((d) => d.kind === 'Deployment' || d.kind === 'Job');

  test('every document has apiVersion, kind, metadata.name and the nas-service namespace', () => {
    assert.ok(docs.length >= 9);
    for (const { file, doc } of docs) {
      assert.ok(typeof doc.apiVersion === 'string' && doc.apiVersion, `${file}: apiVersion`);
      assert.ok(typeof doc.kind === 'string' && doc.kind, `${file}: kind`);
      assert.ok(typeof meta(doc).name === 'string' && meta(doc).name, `${file}: metadata.name`);
      if (doc.kind !== 'Namespace') assert.equal(meta(doc).namespace, 'nas-service', `${file}: ${String(doc.kind)} namespace`);
    }
    find('Namespace', 'nas-service');
  });

  test('kustomization.yaml lists every manifest', () => {
    const k = loadYaml(path.join(K8S, 'kustomization.yaml'))[0];
    assert.deepEqual(arr(k.resources, 'resources').map(String).sort(), manifests);
  });

  test('ConfigMap, Secret with a DATABASE_URL placeholder, PVCs and the references to them', () => {
    const cm = obj(find('ConfigMap', 'nas-config').data, 'configmap data');
    assert.equal(cm.NAS_DATA_DIR, IMAGE_DATA_DIR, 'the data is read from the image');
    assert.equal(cm.IN_PROCESS_WORKER, 'false');
    assert.match(String(obj(find('Secret', 'nas-db').stringData, 'stringData').DATABASE_URL), /^postgres:\/\//);
    find('PersistentVolumeClaim', 'nas-storage');
    assert.ok(!docs.some(({ doc }) => doc.kind === 'PersistentVolumeClaim' && meta(doc).name === 'nas-data'), 'no claim for the data: it is in the image');
    for (const w of workloads()) {
      for (const ref of arr(container(w).envFrom, 'envFrom').map((r) => obj(r, 'envFrom'))) {
        if (ref.configMapRef) find('ConfigMap', String(obj(ref.configMapRef, 'configMapRef').name));
        if (ref.secretRef) find('Secret', String(obj(ref.secretRef, 'secretRef').name));
      }
      for (const v of arr(podSpec(w).volumes ?? [], 'volumes').map((x) => obj(x, 'volume'))) {
        if (v.persistentVolumeClaim) find('PersistentVolumeClaim', String(obj(v.persistentVolumeClaim, 'pvc').claimName));
      }
      const mounts = arr(container(w).volumeMounts ?? [], 'volumeMounts').map((x) => obj(x, 'mount'));
      assert.ok(!mounts.some((m) => m.mountPath === '/data' || String(m.mountPath).startsWith(IMAGE_DATA_DIR)), `${String(meta(w).name)}: no volume for the data`);
      if (w.kind === 'Deployment') assert.ok(mounts.some((m) => m.mountPath === cm.STORAGE_DIR), `${String(meta(w).name)} mounts STORAGE_DIR`);
    }
  });

  test('workloads run compiled entry points that exist as sources, as non-root, via args (tini stays PID 1)', () => {
    const expected: Record<string, string> = {
      'Deployment/nas-api': 'dist/src/main.js',
      'Deployment/nas-worker': 'dist/src/worker.js',
      'Deployment/nas-trainer': 'dist/src/worker.js',
      'Job/nas-migrate': 'dist/src/cli/migrate.js',
    };
    const seen: string[] = [];
    for (const w of workloads()) {
      const id = `${String(w.kind)}/${String(meta(w).name)}`;
      seen.push(id);
      const c = container(w);
      assert.equal(c.command, undefined, `${id}: no command override`);
      assert.deepEqual(c.args, ['node', expected[id]], `${id}: args`);
      assertCompiledFrom(expected[id]);
      assert.equal(obj(podSpec(w).securityContext, 'securityContext').runAsNonRoot, true);
      if (w.kind === 'Deployment') {
        const labels = obj(obj(obj(obj(w.spec, 'spec').template, 'template').metadata, 'metadata').labels, 'labels');
        for (const [k, v] of Object.entries(obj(obj(obj(w.spec, 'spec').selector, 'selector').matchLabels, 'matchLabels'))) {
          assert.equal(labels[k], v, `${id}: selector matches the pod labels`);
        }
      }
    }
    assert.deepEqual(seen.sort(), Object.keys(expected).sort());
  });

  test('api: readiness /readyz, liveness /healthz, metrics annotations, Service selects its pods', () => {
    const api = find('Deployment', 'nas-api');
    const c = container(api);
    const port = (probe: string): Obj => obj(obj(c[probe], probe).httpGet, `${probe}.httpGet`);
    assert.equal(port('readinessProbe').path, '/readyz');
    assert.equal(port('livenessProbe').path, '/healthz');
    const ports = arr(c.ports, 'ports').map((p) => obj(p, 'port'));
    for (const probe of ['readinessProbe', 'livenessProbe']) assert.ok(ports.some((p) => p.name === port(probe).port), `${probe} port is a named container port`);
    const ann = obj(obj(obj(obj(api.spec, 'spec').template, 'template').metadata, 'metadata').annotations, 'annotations');
    assert.equal(ann['prometheus.io/scrape'], 'true');
    assert.equal(ann['prometheus.io/path'], '/metrics');
    assert.equal(Number(ann['prometheus.io/port']), ports[0].containerPort);
    const cm = obj(find('ConfigMap', 'nas-config').data, 'configmap data');
    assert.equal(Number(cm.PORT), ports[0].containerPort, 'the API listens on the container port');
    const svc = obj(find('Service', 'nas-api').spec, 'service spec');
    const podLabels = obj(obj(obj(obj(api.spec, 'spec').template, 'template').metadata, 'metadata').labels, 'labels');
    for (const [k, v] of Object.entries(obj(svc.selector, 'selector'))) assert.equal(podLabels[k], v);
    assert.ok(arr(svc.ports, 'service ports').some((p) => ports.some((cp) => cp.name === obj(p, 'sp').targetPort)));
  });

  test('trainer: one nvidia.com/gpu per pod on GPU nodes, WebGPU backend', () => {
    const tr = find('Deployment', 'nas-trainer');
    const c = container(tr);
    assert.equal(Number(obj(obj(c.resources, 'resources').limits, 'limits')['nvidia.com/gpu']), 1);
    const spec = podSpec(tr);
    assert.equal(obj(spec.nodeSelector, 'nodeSelector')['nvidia.com/gpu.present'], 'true');
    assert.ok(arr(spec.tolerations, 'tolerations').some((t) => obj(t, 'toleration').key === 'nvidia.com/gpu'));
    const env = arr(c.env, 'env').map((e) => obj(e, 'env'));
    assert.ok(env.some((e) => e.name === 'TRAINER_BACKEND' && e.value === 'webgpu'));
  });
});
