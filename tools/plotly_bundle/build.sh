#!/usr/bin/env bash
# Rebuilds dashboard/assets/vendor/plotly-<version>-sdg87.min.js, its LICENSE.txt and bundle.json (see README.md).
# Needs node >= 18 and npm (the npm registry, nothing else). node_modules lives in a temporary folder, never here.
#   tools/plotly_bundle/build.sh            exact rebuild from package-lock.json (npm ci): byte-identical output
#   tools/plotly_bundle/build.sh --update   after editing the versions in package.json: npm install, new lock file
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
VENDOR="$REPO/dashboard/assets/vendor"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

cp "$HERE/package.json" "$HERE/build.mjs" "$WORK/"
cd "$WORK"
if [ "${1:-}" = "--update" ]; then
    npm install --ignore-scripts --no-audit --no-fund
    cp package-lock.json "$HERE/package-lock.json"
else
    cp "$HERE/package-lock.json" .
    npm ci --ignore-scripts --no-audit --no-fund
fi
rm -f "$VENDOR"/plotly-*-sdg87.min.js "$VENDOR"/plotly-*-sdg87.LICENSE.txt
node build.mjs "$VENDOR" "$HERE/bundle.json" "$REPO"
