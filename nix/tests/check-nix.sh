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

echo "nix-checks: $pass passed, $fail failed"
[ "$fail" = 0 ]
