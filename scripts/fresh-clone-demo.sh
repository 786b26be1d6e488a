#!/usr/bin/env bash
# A fresh clone runs alone (issue #14): copies the committed tree (git archive HEAD) to an empty temporary folder with
# no ../shared beside it, adds the already-built dist/ and a node_modules link, and runs the demo's job path there:
# the benchmark-backed nb201-search and a tiny SE-NAS run (CIFAR-10 subset from the bundled data/). Any read outside
# the copy (../shared, NAS_DATA_DIR) would fail the jobs. Run after `npm run build`; takes about a minute.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
test -f dist/src/cli/demo.js || { echo "build first (npm run build)" >&2; exit 1; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
chmod 755 "$TMP" # mktemp makes it 0700; as root, the embedded PostgreSQL (user postgres) keeps its data inside
mkdir "$TMP/clone"
git archive HEAD | tar -x -C "$TMP/clone"
cp -r dist "$TMP/clone/dist"
ln -s "$ROOT/node_modules" "$TMP/clone/node_modules"
test ! -e "$TMP/shared" && test -d "$TMP/clone/data/nasbench201"
cd "$TMP/clone"
unset NAS_DATA_DIR
export STORAGE_DIR="$TMP/clone/.data/storage" EMBEDDED_PG_DIR="$TMP/clone/.data/pg" EMBEDDED_PG_PORT="${FRESH_CLONE_PG_PORT:-54339}"
# the demo uses DATABASE_URL as given (a scratch team per run), else an embedded PostgreSQL inside the copy
node dist/src/cli/demo.js --kind nb201-search --queries 50
node dist/src/cli/demo.js --kind se-nas-nb201 \
  --spec '{"maxTrainImages":256,"batchSize":32,"samplesPerStage":5,"evalImages":64,"correlationSample":8,"searchQueries":20}'
echo "fresh clone at $TMP/clone: demo job path ran with the bundled data only"
