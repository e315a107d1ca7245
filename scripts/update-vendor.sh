#!/usr/bin/env bash
# Re-fetch the vendored front-end files from the npm registry into static/vendor/.
# Usage: scripts/update-vendor.sh [HTMX_VERSION] [PICO_VERSION] [CHARTJS_VERSION]
# Then update the versions and checksums in static/vendor/README.md.
set -euo pipefail

htmx="${1:-2.0.11}"
pico="${2:-2.1.1}"
chartjs="${3:-4.6.1}"

root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/static/vendor"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

cd "$tmp"
npm pack --silent "htmx.org@$htmx" "@picocss/pico@$pico" "chart.js@$chartjs" >/dev/null
for tgz in *.tgz; do
    mkdir -p "${tgz%.tgz}"
    tar xzf "$tgz" -C "${tgz%.tgz}"
done

mkdir -p "$dest/licenses"
cp "htmx.org-$htmx/package/dist/htmx.min.js" "$dest/"
cp "picocss-pico-$pico/package/css/pico.min.css" "$dest/"
cp "chart.js-$chartjs/package/dist/chart.umd.min.js" "$dest/"
cp "chart.js-$chartjs/package/dist/chart.umd.min.js.map" "$dest/"
cp "htmx.org-$htmx/package/LICENSE" "$dest/licenses/htmx.org-LICENSE"
cp "picocss-pico-$pico/package/LICENSE.md" "$dest/licenses/picocss-LICENSE.md"
cp "chart.js-$chartjs/package/LICENSE.md" "$dest/licenses/chart.js-LICENSE.md"

cd "$dest"
sha256sum htmx.min.js pico.min.css chart.umd.min.js chart.umd.min.js.map
