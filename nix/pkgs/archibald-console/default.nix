# The ArchibaldOS console (Next.js + custom server), as the NixOS service runs it.
#
# Layout produced by `npm run build` (the console's contract): build/server.mjs,
# build/.next (standalone output + static), build/node_modules (runtime modules
# only, with the native better-sqlite3), build/public, and maybe build/cli.mjs.
# Only that folder is installed, under $out/lib/archibald-console; the dev
# toolchain (next, typescript, esbuild, ...) stays out of the closure.
#
# npm dependencies: package-lock.json is committed without `resolved` URLs (and
# no registry host appears in the repository).  nixpkgs' npm fetcher caches only
# entries that have one, so the fixed-output fetch below first asks npm for its
# built-in default registry and fills each URL in (fill-resolved.jq); the build
# applies the same filter in postPatch so npmConfigHook's lockfile check agrees.
#
# Keeping npmDepsHash current (after any change to package-lock.json):
#   nix/scripts/update-npm-deps-hash.sh
# which builds .#console.npmDeps with an empty hash and writes the hash Nix
# reports back into this file.
{
  lib,
  buildNpmPackage,
  fetchNpmDeps,
  nodejs_22,
  python3,
  jq,
  makeWrapper,
}:

let
  root = ../../..;
  # Everything the console build reads; not the Nix files (so editing a module
  # does not rebuild the console), tests, benchmarks or local build output.
  excluded = [
    "nix"
    "flake.nix"
    "flake.lock"
    "e2e"
    "bench"
    ".ci"
    "node_modules"
    ".next"
    "build"
    "data"
    "test-results"
    "playwright-report"
    ".bench"
  ];
  src = lib.cleanSourceWith {
    name = "archibald-console-source";
    src = root;
    filter =
      path: type:
      let
        top = lib.head (lib.splitString "/" (lib.removePrefix "${toString root}/" (toString path)));
      in
      !(lib.elem top excluded) && lib.cleanSourceFilter path type;
  };

  nodejs = nodejs_22;

  # Fill in the tarball URLs from npm's own default registry (never named here).
  fillResolved = ''
    export HOME="$TMPDIR"
    registry="$(npm config get registry)"
    jq --arg registry "$registry" -f ${./fill-resolved.jq} package-lock.json > package-lock.json.filled
    mv package-lock.json.filled package-lock.json
  '';

  npmDeps = fetchNpmDeps {
    name = "archibald-console-npm-deps";
    inherit src;
    nativeBuildInputs = [
      nodejs
      jq
    ];
    postPatch = fillResolved;
    hash = npmDepsHash;
  };

  # Written by nix/scripts/update-npm-deps-hash.sh (this value is lib.fakeHash
  # until the first run on a machine with Nix and network).
  npmDepsHash = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
in
buildNpmPackage {
  pname = "archibald-console";
  version = (lib.importJSON (root + "/package.json")).version;
  inherit src nodejs npmDeps;

  postPatch = fillResolved;

  nativeBuildInputs = [
    jq
    makeWrapper
    python3 # node-gyp, for better-sqlite3 (npmConfigHook points npm_config_nodedir at nodejs' headers)
  ];

  env = {
    NEXT_TELEMETRY_DISABLED = "1";
    # better-sqlite3 would try to download a prebuilt binary first
    npm_config_build_from_source = "true";
  };

  # `npm run build` is the console's own build (next build + server bundle)
  npmBuildScript = "build";

  installPhase = ''
    runHook preInstall

    test -f build/server.mjs || { echo "npm run build did not produce build/server.mjs" >&2; exit 1; }
    mkdir -p $out/lib/archibald-console $out/bin
    cp -r build/. $out/lib/archibald-console/

    makeWrapper ${lib.getExe nodejs} $out/bin/archibald-console \
      --add-flags $out/lib/archibald-console/server.mjs \
      --set-default NODE_ENV production
    if test -e build/cli.mjs; then
      makeWrapper ${lib.getExe nodejs} $out/bin/archibald \
        --add-flags $out/lib/archibald-console/cli.mjs \
        --set-default NODE_ENV production
    fi

    runHook postInstall
  '';

  # The installed tree must be self-contained (no node_modules above it in the
  # store): load what the server loads at start, native module included, from
  # $out itself.  Catches modules Next's standalone trace missed.
  doInstallCheck = true;
  installCheckPhase = ''
    runHook preInstallCheck
    (cd / && ${lib.getExe nodejs} -e '
      const { createRequire } = require("node:module");
      const req = createRequire(process.argv[1] + "/");
      req("next/dist/server/next.js");
      const Database = req("better-sqlite3");
      new Database(":memory:").close();
    ' $out/lib/archibald-console)
    runHook postInstallCheck
  '';

  # The standalone output must not drag the dev toolchain or the npm cache in.
  disallowedReferences = [ npmDeps ];

  passthru = { inherit npmDeps; };

  meta = {
    description = "ArchibaldOS web console: tune, patch and rebuild a real-time audio NixOS box from a browser";
    license = lib.licenses.mit;
    platforms = lib.platforms.linux;
    mainProgram = "archibald-console";
  };
}
