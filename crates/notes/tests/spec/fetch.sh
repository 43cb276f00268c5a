#!/usr/bin/env bash
# Installs the external conformance suites the notes tests run (`.ci/run` calls this):
# - the CommonMark spec 0.31.2 (npm package `commonmark-spec`, pinned by package-lock.json);
# - the GFM spec (github/cmark-gfm test/spec.txt, CC-BY-SA 4.0), as shipped in the source
#   distribution of the PyPI package marko 2.2.4, checked against its published hash.
set -euo pipefail
cd "$(dirname "$0")"

npm ci --no-audit --no-fund --silent

if [[ ! -f gfm/spec.txt ]]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  python3 -m pip download --quiet --disable-pip-version-check --no-deps --no-binary :all: \
    --dest "$work" marko==2.2.4
  echo "c042c66f835425673123d7536b39b4660de3b68e30078c70fd26245b31170683  $work/marko-2.2.4.tar.gz" \
    | sha256sum --check --quiet
  tar -xzf "$work/marko-2.2.4.tar.gz" -C "$work" marko-2.2.4/tests/spec/gfm.txt
  mkdir -p gfm
  mv "$work/marko-2.2.4/tests/spec/gfm.txt" gfm/spec.txt
fi
