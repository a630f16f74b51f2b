#!/usr/bin/env bash
# Recompute npmDepsHash of the console package after package-lock.json changed.
#
#   nix/scripts/update-npm-deps-hash.sh        (from anywhere inside the repository)
#
# Sets the hash to the empty placeholder, builds .#console.npmDeps (the
# fixed-output fetch that fills in the tarball URLs), reads the hash Nix
# reports ("got: sha256-...") and writes it into nix/pkgs/archibald-console/default.nix.
set -euo pipefail

root=$(git rev-parse --show-toplevel)
file="$root/nix/pkgs/archibald-console/default.nix"
fake="sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

set_hash() {
  sed -i -E "s|^(  npmDepsHash = \")[^\"]*(\";)|\1$1\2|" "$file"
}

grep -qE '^  npmDepsHash = "' "$file" || { echo "npmDepsHash line not found in $file" >&2; exit 1; }
old=$(sed -n -E 's|^  npmDepsHash = "([^"]*)";|\1|p' "$file")
set_hash "$fake"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if nix --extra-experimental-features "nix-command flakes" build --no-link "$root#console.npmDeps" >"$log" 2>&1; then
  # the placeholder cannot match, unless nothing needs fetching at all
  echo "npmDeps built with the placeholder hash; keeping it" >&2
  exit 0
fi
new=$(sed -n -E 's/^ *got: *(sha256-[A-Za-z0-9+\/=]+).*/\1/p' "$log" | tail -n 1)
if [ -z "$new" ]; then
  set_hash "$old"
  cat "$log" >&2
  echo "could not read the new hash (see the log above); restored $old" >&2
  exit 1
fi
set_hash "$new"
echo "npmDepsHash = $new"
