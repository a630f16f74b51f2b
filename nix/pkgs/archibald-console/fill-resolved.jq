# Give every registry package in an npm v2/v3 lockfile its tarball URL.
#
# The repository's package-lock.json carries no `resolved` fields (and no
# registry host name); nixpkgs' prefetch-npm-deps only caches entries that have
# one.  Called as `jq --arg registry "$(npm config get registry)" -f fill-resolved.jq`
# inside the fixed-output fetch (and again, identically, in the build's
# postPatch, so npmConfigHook sees the same lockfile on both sides).
#
# URL shape: <registry>/<name>/-/<basename>-<version>.tgz, where a scoped
# name @scope/pkg has basename pkg.  Skipped: the root package, workspace
# links, bundled dependencies (they come inside their parent's tarball),
# entries that already have `resolved`, and non-registry versions.
($registry | sub("/+$"; "")) as $reg
| .packages |= with_entries(
    if .key == ""
       or (.value.link // false)
       or (.value.inBundle // false)
       or (.value.resolved != null)
       or ((.value.version // "") | test("^[0-9]+\\.[0-9]+\\.[0-9]+([-+][0-9A-Za-z.+-]*)?$") | not)
    then .
    else
      (.value.name // (.key | sub("^(.*/)?node_modules/"; ""))) as $name
      | ($name | split("/") | last) as $base
      | .value.resolved = "\($reg)/\($name)/-/\($base)-\(.value.version).tgz"
    end)
