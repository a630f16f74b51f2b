# The ArchibaldOS console (Next.js + custom server), as the NixOS service runs it.
#
# Layout produced by `npm run build` (the console's contract): build/server.mjs,
# build/cli.mjs, build/.next (standalone output + static), build/node_modules
# (runtime modules only, with the native better-sqlite3), build/public.  Only
# that folder is installed, under lib/archibald-console; the dev toolchain
# (next, typescript, esbuild, ...) stays out of the closure.
#
# Two layers: `unwrapped` (passthru) is the npm build; the package itself only
# adds the two programs, so overriding the tools below (the NixOS module passes
# the box's PipeWire and helper) rebuilds a few wrapper lines, not the console:
#   bin/archibald-console  the server (the service's ExecStart)
#   bin/archibald          the CLI (archibald-cli.sh): the box's data dir, a PATH
#                          with `runtimePrograms`, and run as the data dir's
#                          owner when started as root
# passthru.runtimePrograms is the one list of what the tuning and audio engines
# start; the module puts the same list on the service's ARCHIBALD_PATH.
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
  stdenvNoCC,
  bash,
  # what the console and its CLI start (see runtimePrograms below)
  coreutils,
  util-linux,
  rt-tests,
  pipewire,
  jack-example-tools,
  # null: the CLI reports the helper missing (tuning can check but not change)
  archibald-helper ? null,
  # the CLI's default ARCHIBALD_DATA_DIR: the service's StateDirectory
  dataDir ? "/var/lib/archibald",
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

  version = (lib.importJSON (root + "/package.json")).version;

  # The programs the engines start (server/exec/programs.ts), by package:
  # cyclictest; pw-dump, pw-link, pw-cli, pw-metadata, pw-profiler (pipewire)
  # and pw-jack (its `jack` output); jack_iodelay (jack2's examples, split out
  # as jack-example-tools); stdbuf (coreutils; pw-jack runs `stdbuf -oL
  # jack_iodelay`).  sudo is the setuid wrapper in /run/wrappers/bin and the
  # helper comes separately (it may be off); nix, nixos-rebuild and systemctl
  # belong to the system, so the module adds those.
  runtimePrograms = [
    coreutils
    rt-tests
    pipewire
    (lib.getOutput "jack" pipewire)
    jack-example-tools
  ];
  cliPath = lib.concatStringsSep ":" [
    "/run/wrappers/bin"
    (lib.makeBinPath (runtimePrograms ++ lib.optional (archibald-helper != null) archibald-helper ++ [ util-linux ]))
  ];

  unwrapped = buildNpmPackage {
    pname = "archibald-console-unwrapped";
    inherit version src nodejs npmDeps;

    postPatch = fillResolved;

    nativeBuildInputs = [
      jq
      python3 # node-gyp, for better-sqlite3 (npmConfigHook points npm_config_nodedir at nodejs' headers)
    ];

    env = {
      NEXT_TELEMETRY_DISABLED = "1";
      # better-sqlite3 would try to download a prebuilt binary first
      npm_config_build_from_source = "true";
    };

    # `npm run build` is the console's own build (next build + server and CLI bundles)
    npmBuildScript = "build";

    installPhase = ''
      runHook preInstall

      for f in server.mjs cli.mjs; do
        test -f build/$f || { echo "npm run build did not produce build/$f" >&2; exit 1; }
      done
      mkdir -p $out/lib/archibald-console
      cp -r build/. $out/lib/archibald-console/

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

    meta = removeAttrs meta [ "mainProgram" ] // {
      description = "The ArchibaldOS console's build output (without its programs)";
    };
  };

  meta = {
    description = "ArchibaldOS web console: tune, patch and rebuild a real-time audio NixOS box from a browser";
    license = lib.licenses.mit;
    platforms = lib.platforms.linux;
    mainProgram = "archibald-console";
  };
in
stdenvNoCC.mkDerivation {
  pname = "archibald-console";
  inherit version meta;

  dontUnpack = true;
  dontConfigure = true;
  dontBuild = true;
  nativeBuildInputs = [ makeWrapper ];

  installPhase = ''
    runHook preInstall

    app=${unwrapped}/lib/archibald-console
    mkdir -p $out/bin $out/lib
    ln -s $app $out/lib/archibald-console

    makeWrapper ${lib.getExe nodejs} $out/bin/archibald-console \
      --add-flags $app/server.mjs \
      --set-default NODE_ENV production

    { echo '#!${bash}/bin/bash'; cat ${./archibald-cli.sh}; } > $out/bin/archibald
    substituteInPlace $out/bin/archibald \
      --subst-var-by node ${lib.getExe nodejs} \
      --subst-var-by cli $app/cli.mjs \
      --subst-var-by path ${lib.escapeShellArg cliPath} \
      --subst-var-by dataDir ${lib.escapeShellArg dataDir}
    chmod +x $out/bin/archibald
    bash -n $out/bin/archibald
    if grep -n '@[a-zA-Z]*@' $out/bin/archibald; then
      echo "archibald: a placeholder was left unfilled" >&2
      exit 1
    fi

    runHook postInstall
  '';

  passthru = {
    inherit unwrapped runtimePrograms;
    inherit (unwrapped) npmDeps;
    helper = archibald-helper;
  };
}
