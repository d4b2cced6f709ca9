#!/usr/bin/env bash
# Refresh the vendored front-end packages from the npm registry (`make vendor`).
# The portal serves them from static/vendor/ (and tests inject axe-core from tests/vendor/),
# so neither `make run` nor `make test` needs npm.
set -euo pipefail
USWDS=3.14.0
HTMX=2.0.11
AXE=4.14.1

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

# The packages' minified files end with a comment naming a source map (uswds.min.css.map...) that
# we do not ship. Django's manifest storage follows those names, so `collectstatic` would fail and
# every page would answer 500 in production: remove the comments from every file we vendor.
strip_source_maps() {
  sed -i -E '/^[[:space:]]*(\/\/[#@] sourceMappingURL=.*|\/\*[#@] sourceMappingURL=.*\*\/)[[:space:]]*$/d' "$@"
  if grep -lE '^[[:space:]]*(//|/\*)[#@] sourceMappingURL=' "$@"; then
    echo "vendor.sh: a sourceMappingURL comment is left in the files above" >&2
    exit 1
  fi
}

npm init -y >/dev/null
npm install --no-audit --no-fund --silent "@uswds/uswds@$USWDS" "htmx.org@$HTMX" "axe-core@$AXE"

dist=node_modules/@uswds/uswds/dist
dest="$root/static/vendor/uswds"
rm -rf "$dest" && mkdir -p "$dest/css" "$dest/js" "$dest/img" "$dest/fonts"
cp "$dist/css/uswds.min.css" "$dest/css/"
cp "$dist/js/uswds.min.js" "$dist/js/uswds-init.min.js" "$dest/js/"
# Only what the stylesheet and our templates use: woff2 fonts, the top-level images and the sprite.
(cd "$dist/fonts" && find . -name '*.woff2' -exec cp --parents {} "$dest/fonts/" \;)
find "$dist/img" -maxdepth 1 -type f -exec cp {} "$dest/img/" \;
mkdir -p "$dest/img/usa-icons" "$dest/img/usa-icons-bg"
cp "$dist/img/usa-icons/"*.svg "$dest/img/usa-icons/"
cp "$dist/img/usa-icons-bg/"*.svg "$dest/img/usa-icons-bg/"
cp node_modules/@uswds/uswds/LICENSE.md "$dest/LICENSE.md"
echo "$USWDS" >"$dest/VERSION"

mkdir -p "$root/static/vendor/htmx"
cp node_modules/htmx.org/dist/htmx.min.js "$root/static/vendor/htmx/"
cp node_modules/htmx.org/LICENSE "$root/static/vendor/htmx/LICENSE"
echo "$HTMX" >"$root/static/vendor/htmx/VERSION"

mkdir -p "$root/tests/vendor"
cp node_modules/axe-core/axe.min.js "$root/tests/vendor/axe.min.js"
cp node_modules/axe-core/LICENSE "$root/tests/vendor/axe-core.LICENSE"
echo "$AXE" >"$root/tests/vendor/axe-core.VERSION"
strip_source_maps "$dest"/css/*.css "$dest"/js/*.js "$root/static/vendor/htmx/htmx.min.js" "$root/tests/vendor/axe.min.js"
echo "Vendored USWDS $USWDS, htmx $HTMX and axe-core $AXE."
