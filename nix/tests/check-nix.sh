#!/usr/bin/env bash
# The Nix side's checks that run anywhere (CI included), without nixpkgs:
#
#   bash nix/tests/check-nix.sh
#
#   1. nix-instantiate --parse on every .nix file of the repository (not node_modules)
#   2. shellcheck on every shell script under nix/ (and .ci/run when present)
#   3. flake.lock: valid JSON, locks exactly the inputs flake.nix declares
#   4. the npm lockfile filter: every registry package gets a well-formed tarball URL
#   5. archibald-helper --dry-run: accepts its verbs, refuses everything else
#   6. audio-setup --dry-run: checks run, tweaks only printed
#   7. the installer's dry run, driven through its dialogs (nix/tests/installer-dry-run.sh)
#   8. the console's `archibald` wrapper: its placeholders, what its PATH and the
#      service's ARCHIBALD_PATH are built from, audio-setup's runtime inputs, and
#      its behaviour (defaults; run as the data dir's owner when root), with fakes
#
# Needs: nix-instantiate (Debian: nix-bin), shellcheck, jq, tmux, dialog, openssl.
# Ends with "nix-checks: N passed, N failed"; exits non-zero on any failure.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
pass=0
fail=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/archibald-nix-checks.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

ok() { pass=$((pass + 1)); printf 'ok   %s\n' "$1"; }
bad() {
  fail=$((fail + 1))
  printf 'FAIL %s\n' "$1"
  if [ -n "${2:-}" ]; then printf '%s\n' "$2" | sed 's/^/     /' | head -n 20; fi
}
# check LABEL CMD...: one check; the command's output is shown only on failure
check() {
  local label=$1 out
  shift
  if out=$("$@" 2>&1); then ok "$label"; else bad "$label" "$out"; fi
}

missing=()
for tool in nix-instantiate shellcheck jq tmux dialog; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "check-nix: missing tools: ${missing[*]} (apt-get install nix-bin shellcheck jq tmux dialog openssl)" >&2
  echo "nix-checks: $pass passed, 1 failed"
  exit 1
fi

# ---- 1. every .nix file parses ------------------------------------------------
nix_files=()
while IFS= read -r -d '' f; do nix_files+=("$f"); done < <(
  find . \( -name node_modules -o -name .git -o -name .next -o -name build -o -name result \) -prune -o \
    -type f -name '*.nix' -print0 | sort -z
)
[ "${#nix_files[@]}" -gt 0 ] || bad "found .nix files to parse"
for f in "${nix_files[@]}"; do
  check "parse ${f#./}" nix-instantiate --parse "$f"
done

# ---- 2. shellcheck ------------------------------------------------------------------
scripts=()
while IFS= read -r -d '' f; do
  case "$f" in
    *.sh) scripts+=("$f") ;;
    *) if head -n 1 "$f" | grep -qE '^#!.*\b(ba)?sh\b'; then scripts+=("$f"); fi ;;
  esac
done < <(find nix -type f -print0 | sort -z)
[ ! -f .ci/run ] || scripts+=(.ci/run)
for f in "${scripts[@]}"; do
  check "shellcheck ${f#./}" shellcheck -x "$f"
done

# ---- 3. flake.lock matches flake.nix -------------------------------------------
lock_inputs() {
  jq -e -r '.version == 7 and .root == "root"' flake.lock >/dev/null || { echo "not a version 7 lock"; return 1; }
  local declared locked
  declared=$(nix-instantiate --eval --strict --json -E 'builtins.attrNames (import ./flake.nix).inputs' | jq -r '.[]' | sort | tr '\n' ' ')
  locked=$(jq -r '.nodes.root.inputs | keys[]' flake.lock | sort | tr '\n' ' ')
  [ "$declared" = "$locked" ] || { echo "flake.nix declares [$declared], flake.lock locks [$locked]"; return 1; }
  # musnix follows our nixpkgs; every locked node has a rev and a narHash
  jq -e '.nodes.musnix.inputs.nixpkgs == ["nixpkgs"]' flake.lock >/dev/null || { echo "musnix does not follow nixpkgs"; return 1; }
  jq -e '[.nodes | to_entries[] | select(.key != "root") | .value.locked | (.rev | test("^[0-9a-f]{40}$")) and (.narHash | startswith("sha256-"))] | all' flake.lock >/dev/null ||
    { echo "a locked node lacks rev or narHash"; return 1; }
}
check "flake.lock locks exactly the inputs of flake.nix" lock_inputs

# ---- 4. the lockfile filter used by the console's npm fetch -----------------------
fill_resolved() {
  local filled="$tmp/package-lock.json" bad_entries missing
  # a reserved name (RFC 2606): the filter must use whatever registry it is given
  jq --arg registry "https://registry.invalid/" -f nix/pkgs/archibald-console/fill-resolved.jq package-lock.json >"$filled"
  missing=$(jq -r '.packages | to_entries[] | select(.key != "" and (.value.link | not) and (.value.inBundle | not) and .value.resolved == null) | .key' "$filled")
  [ -z "$missing" ] || { echo "no URL for: $missing"; return 1; }
  bad_entries=$(jq -r '.packages | to_entries[] | select(.value.resolved != null)
      | (.value.name // (.key | sub("^(.*/)?node_modules/"; ""))) as $n
      | select(.value.resolved != "https://registry.invalid/\($n)/-/\($n | split("/") | last)-\(.value.version).tgz") | .key' "$filled")
  [ -z "$bad_entries" ] || { echo "malformed URL for: $bad_entries"; return 1; }
  # the original lockfile stays untouched and host-free
  ! jq -e '[.packages[] | select(.resolved != null)] | length > 0' package-lock.json >/dev/null || { echo "package-lock.json has resolved URLs"; return 1; }
  # scoped packages: @scope/name -> .../@scope/name/-/name-<version>.tgz
  jq -e '[.packages | to_entries[] | select(.key | test("node_modules/@[^/]+/[^/]+$")) | select(.value.resolved != null)
      | .value.resolved | test("/@[^/]+/[^/]+/-/[^/@]+-[0-9][^/]*\\.tgz$")] | all' "$filled" >/dev/null || { echo "scoped URL shape"; return 1; }
}
if [ -f package-lock.json ]; then
  check "fill-resolved.jq gives every registry package its tarball URL" fill_resolved
fi

# ---- 5. the privileged helper's argument checks ------------------------------------
helper=nix/pkgs/archibald-helper/archibald-helper.sh
for args in \
  "write /proc/sys/vm/swappiness 10" \
  "write /sys/devices/system/cpu/cpu3/cpufreq/scaling_governor performance" \
  "write /proc/irq/42/smp_affinity_list 0-1,3" \
  "write /sys/class/rtc/rtc0/max_user_freq 2048" \
  "write /proc/sys/dev/hpet/max-user-freq 2048" \
  "write /sys/bus/usb/devices/1-1.2/power/control on" \
  "write /sys/bus/usb/devices/usb1/power/control auto" \
  "write /proc/sys/fs/inotify/max_user_watches 524288" \
  "setpci-latency 00:1b.0 ff" \
  "setpci-latency 0000:03:00.1 b0" \
  "chrt fifo 80 1234" \
  "chrt rr 70 99" \
  "chrt other 0 4321"; do
  # shellcheck disable=SC2086 # word splitting of the argument list is intended
  check "helper accepts: $args" bash "$helper" --dry-run $args
done
refuse() { ! bash "$helper" --dry-run "$@"; }
while IFS='|' read -r -a args; do
  check "helper refuses: ${args[*]}" refuse "${args[@]}"
done <<'EOF'
write|/proc/sys/vm/../../../etc/shadow|x
write|/etc/passwd|x
write|/proc/sys/vm//swappiness|1
write|/proc/sys/vm/swappiness|300
write|/proc/sys/vm/swappiness|1; reboot
write|/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor|evil
write|/sys/devices/system/cpu/cpu0/../cpu1/cpufreq/scaling_governor|performance
write|/sys/bus/usb/devices/../../../../etc/power/control|on
write|/proc/irq/1/smp_affinity_list|0 1
write|/proc/sys/vm/swappiness
setpci-latency|00:1b.0|fff
setpci-latency|00:1b.0 -d|ff
setpci-latency|-s|ff
chrt|fifo|100|12
chrt|fifo|80|1
chrt|idle|1|12
chrt|fifo|80|-5
chrt|other|5|12
rm|-rf|/
EOF
check "helper refuses no arguments" refuse

# ---- 6. audio-setup: checks, tweaks only printed ------------------------------------
audio_setup() {
  local out
  # a thin wrapper over the console's CLI: run it from the sources (on the box it is the packaged `archibald`)
  out=$(AUDIO_SETUP_LOG="$tmp/audio-setup.log" ARCHIBALD_DATA_DIR="$tmp/cli-data" ARCHIBALD_CLI="npx --no-install tsx server/cli/main.ts" \
    PATH="$tmp/nohelper:$PATH" bash nix/scripts/audio-setup.sh --dry-run --no-bench)
  grep -q '^dry run: vm.swappiness --value=0$\|^vm.swappiness: nothing to change$' <<<"$out" || { echo "$out"; return 1; }
  grep -q '^audio-setup: 0 failure' <<<"$out" || { echo "$out"; return 1; }
}
check "audio-setup --dry-run checks and prints its tweaks" audio_setup

# ---- 7. the installer, driven through its dialogs ------------------------------------
if out=$(bash nix/tests/installer-dry-run.sh 2>&1); then rc=0; else rc=$?; fi
summary=$(printf '%s\n' "$out" | grep -E '^installer-dry-run: [0-9]+ passed, [0-9]+ failed$' | tail -n 1 || true)
if [ "$rc" = 0 ] && [ -n "$summary" ]; then
  n=$(printf '%s\n' "$summary" | sed -E 's/^installer-dry-run: ([0-9]+) passed.*/\1/')
  pass=$((pass + n))
  printf 'ok   installer dry run (%s checks)\n' "$n"
else
  bad "installer dry run (rc $rc)" "$(printf '%s\n' "$out" | grep -v '^ok ' | tail -n 40)"
fi

# ---- 8. the console's `archibald` wrapper and the lists it shares with the service ---
cli_sh=nix/pkgs/archibald-console/archibald-cli.sh
console_pkg=nix/pkgs/archibald-console/default.nix
# every @name@ of the wrapper is filled in by the package, and nothing else is
wrapper_placeholders() {
  local want have
  want=$(grep -o '@[a-zA-Z]*@' "$cli_sh" | tr -d @ | sort -u)
  have=$(grep -oE -- '--subst-var-by [a-zA-Z]+' "$console_pkg" | awk '{print $2}' | sort -u)
  [ "$want" = "$have" ] || { printf 'wrapper placeholders: %s\npackage fills: %s\n' "$want" "$have"; return 1; }
}
check "archibald wrapper: the package fills every placeholder" wrapper_placeholders

# The Nix side, as nix-instantiate --parse normalises it (whitespace and comments gone).
nix_has() { # nix_has FILE TEXT...: the parsed FILE contains every TEXT
  local f=$1 ast t
  shift
  ast=$(nix-instantiate --parse "$f") || return 1
  for t in "$@"; do
    grep -qF -- "$t" <<<"$ast" || {
      echo "$f: no \"$t\" in:"
      grep -oE '(runtimePrograms|cliPath|programs|runtimeInputs|consolePackage|finalPackage) = [^;]*;' <<<"$ast"
      return 1
    }
  done
}
# what the engines start (server/exec/programs.ts), by package: stdbuf, cyclictest, pw-*, pw-jack, jack_iodelay
check "console package: runtimePrograms = coreutils, rt-tests, pipewire and its jack output, jack-example-tools" \
  nix_has "$console_pkg" 'runtimePrograms = [ (coreutils) (rt-tests) (pipewire) (((lib).getOutput "jack" pipewire)) (jack-example-tools) ]'
check "console package: the CLI's PATH is /run/wrappers/bin, runtimePrograms, the helper, util-linux; its data dir" \
  nix_has "$console_pkg" '"/run/wrappers/bin"' \
  '(runtimePrograms ++ (((lib).optional (archibald-helper != null) archibald-helper) ++ [ (util-linux) ]))' \
  'inherit runtimePrograms ;' \
  'dataDir ? "/var/lib/archibald"' '--subst-var-by dataDir " + ((lib).escapeShellArg dataDir)'
check "console module: ARCHIBALD_PATH from the package's runtimePrograms; runs and installs finalPackage" \
  nix_has nix/modules/console.nix 'programs = ((cfg).finalPackage.runtimePrograms ++' 'ARCHIBALD_PATH = programPath;' \
  'ExecStart = ((lib).getExe (cfg).finalPackage);' 'systemPackages = ([ ((cfg).finalPackage) ] ++' \
  'default = ((cfg).package.override { archibald-helper = (if (cfg).helper.enable then (cfg).helper.package else null); dataDir = (cfg).dataDir; pipewire = pipewirePackage; })'
check "rt-audio: audio-setup gets the console's CLI only when the console is enabled" \
  nix_has nix/modules/rt-audio.nix \
  'consoleEnabled = ((lib).attrByPath [ ("services") ("archibald-console") ("enable") ] false config);' \
  'consolePackage = (if consoleEnabled then (config).services.archibald-console.finalPackage else null);' \
  '((lib).optional (consolePackage != null) consolePackage)'

# The wrapper's behaviour, with fakes for id, stat, runuser (on its PATH) and node.
wrap=$tmp/wrapper
mkdir -p "$wrap/bin"
cat >"$wrap/bin/id" <<'FAKE'
#!/usr/bin/env bash
echo "${FAKE_UID:?}"
FAKE
cat >"$wrap/bin/stat" <<'FAKE'
#!/usr/bin/env bash
printf 'stat %s\n' "$*" >>"$FAKE_LOG"
[ -n "${FAKE_OWNER:-}" ] || { echo "stat: cannot statx: No such file or directory" >&2; exit 1; }
echo "$FAKE_OWNER"
FAKE
cat >"$wrap/bin/runuser" <<'FAKE'
#!/usr/bin/env bash
printf 'runuser %s\n' "$*" >>"$FAKE_LOG"
while [ "$1" != -- ]; do shift; done
shift
exec "$@"
FAKE
cat >"$wrap/node" <<'FAKE'
#!/usr/bin/env bash
{
  printf node
  printf ' [%s]' "$@"
  printf '\n'
  printf 'data=%s env=%s by=%s path0=%s apath0=%s\n' "$ARCHIBALD_DATA_DIR" "$NODE_ENV" "${ARCHIBALD_CLI_INVOKED_BY:-}" \
    "${PATH%%:*}" "${ARCHIBALD_PATH%%:*}"
} >>"$FAKE_LOG"
FAKE
chmod +x "$wrap/bin/"* "$wrap/node"
sed -e "s|@node@|$wrap/node|" -e 's|@cli@|/pkg/cli.mjs|' -e "s|@path@|$wrap/bin|" -e 's|@dataDir@|/var/lib/archibald|' \
  "$cli_sh" >"$wrap/archibald"
# run_wrapper UID OWNER [VAR=value ...] -- ARGS...: runs it; $wrap/log says what ran
run_wrapper() {
  local uid=$1 owner=$2 envs=()
  shift 2
  while [ "$1" != -- ]; do
    envs+=("$1")
    shift
  done
  shift
  : >"$wrap/log"
  env -u ARCHIBALD_DATA_DIR -u ARCHIBALD_PATH -u NODE_ENV -u SUDO_USER -u ARCHIBALD_CLI_INVOKED_BY \
    FAKE_UID="$uid" FAKE_OWNER="$owner" FAKE_LOG="$wrap/log" "${envs[@]}" bash "$wrap/archibald" "$@"
}
expect_log() { # expect_log LINE...: the log is exactly these lines
  local want
  want=$(printf '%s\n' "$@")
  [ "$(cat "$wrap/log")" = "$want" ] || { printf 'log:\n%s\nexpected:\n%s\n' "$(cat "$wrap/log")" "$want"; return 1; }
}
wrapper_user() {
  run_wrapper 1000 performer -- tune check --json
  expect_log 'node [/pkg/cli.mjs] [tune] [check] [--json]' "data=/var/lib/archibald env=production by= path0=$wrap/bin apath0=$wrap/bin"
}
wrapper_root_drops() {
  run_wrapper 0 performer SUDO_USER=alice -- tune apply swappiness '--label=a b'
  expect_log 'stat -c %U -- /var/lib/archibald' \
    "runuser -u performer -- $wrap/node /pkg/cli.mjs tune apply swappiness --label=a b" \
    'node [/pkg/cli.mjs] [tune] [apply] [swappiness] [--label=a b]' \
    "data=/var/lib/archibald env=production by=alice path0=$wrap/bin apath0=$wrap/bin"
}
wrapper_root_own_dir() {
  run_wrapper 0 root ARCHIBALD_DATA_DIR=/srv/arch NODE_ENV=test ARCHIBALD_PATH=/opt/bin:/bin -- tune list
  expect_log 'stat -c %U -- /srv/arch' 'node [/pkg/cli.mjs] [tune] [list]' "data=/srv/arch env=test by= path0=$wrap/bin apath0=/opt/bin"
}
wrapper_root_no_dir() {
  run_wrapper 0 '' -- tune check
  expect_log 'stat -c %U -- /var/lib/archibald' 'node [/pkg/cli.mjs] [tune] [check]' \
    "data=/var/lib/archibald env=production by= path0=$wrap/bin apath0=$wrap/bin"
}
wrapper_root_unknown_owner() {
  local rc=0
  run_wrapper 0 UNKNOWN -- tune check 2>/dev/null || rc=$?
  [ "$rc" = 2 ] || { echo "exit $rc, expected 2"; return 1; }
  expect_log 'stat -c %U -- /var/lib/archibald'
}
check "archibald wrapper: as a user, the CLI with the box's data dir, production, the tools first in PATH and ARCHIBALD_PATH" wrapper_user
check "archibald wrapper: as root, runs as the data dir's owner through runuser (arguments intact)" wrapper_root_drops
check "archibald wrapper: as root, a root-owned ARCHIBALD_DATA_DIR stays root; the caller's values are kept" wrapper_root_own_dir
check "archibald wrapper: as root before the data dir exists, stays root" wrapper_root_no_dir
check "archibald wrapper: as root, refuses a data dir owned by a uid without a user" wrapper_root_unknown_owner

echo "nix-checks: $pass passed, $fail failed"
[ "$fail" = 0 ]
