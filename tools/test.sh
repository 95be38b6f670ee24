#!/usr/bin/env bash
# The test command (`npm test`): set up what is missing, then run the whole suite under Node and under Deno.
#   npm test                      # everything
#   npm test -- tests/int8        # one folder (both runtimes)
# The notebooks (tests/notebooks) execute in the Deno kernel whatever runs vitest, so only the Node pass runs them.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash tools/setup.sh || exit 1
mkdir -p build

status=0
echo "=== vitest under Node $(node --version) ==="
node_modules/.bin/vitest run --reporter=default --reporter=json --outputFile.json=build/test-node.json "$@" || status=1
echo "=== vitest under Deno $(node_modules/.bin/deno --version | head -1 | cut -d' ' -f2) ==="
node_modules/.bin/deno run -A node_modules/vitest/vitest.mjs run --exclude 'tests/notebooks/**' \
  --reporter=default --reporter=json --outputFile.json=build/test-deno.json "$@" || status=1

node tools/test_summary.mjs build/test-node.json build/test-deno.json || status=1
exit $status
