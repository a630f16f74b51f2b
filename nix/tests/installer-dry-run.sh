#!/usr/bin/env bash
# Drive nix/scripts/installer.sh --dry-run through its dialog screens in a
# private tmux server, typing answers as a person would, then check the
# generated configuration and that no disk command ran.
#
#   bash nix/tests/installer-dry-run.sh      (needs tmux and dialog; nix-instantiate optional)
#
# Two runs: a headless rig with HydraMesh on (UEFI, German keyboard, an invalid
# host name first), and a workstation with HydraMesh off (BIOS, a mistyped disk
# confirmation, a short and a mismatched password, a typed time zone).
# KEEP_WORK=1 keeps the scratch directory for inspection.
# Prints "ok"/"FAIL" lines and ends with "installer-dry-run: N passed, N failed".
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
installer="$here/../scripts/installer.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/archibald-installer-test.XXXXXX")
sock="archibald-installer-test-$$"
pass=0
fail=0

cleanup() {
  tmux -L "$sock" kill-server 2>/dev/null || true
  if [ -n "${KEEP_WORK:-}" ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

ok() { pass=$((pass + 1)); printf 'ok   %s\n' "$1"; }
bad() { fail=$((fail + 1)); printf 'FAIL %s\n' "$1"; }
check() { # check LABEL CMD...
  local label=$1
  shift
  if "$@" >/dev/null 2>&1; then ok "$label"; else bad "$label"; fi
}
has() { grep -qF -- "$2" "$1"; }     # has FILE TEXT
lacks() { ! grep -qF -- "$2" "$1"; } # lacks FILE TEXT
has_re() { grep -qE -- "$2" "$1"; }  # has_re FILE REGEX

for tool in tmux dialog; do
  command -v "$tool" >/dev/null 2>&1 || { echo "installer-dry-run: $tool is not installed" >&2; exit 2; }
done

# Every program that could touch a disk, as a stub that only records the call.
# The dry run must call none of them.
stubs="$work/stubs"
mkdir -p "$stubs"
for p in wipefs parted sgdisk sfdisk mkfs.ext4 mkfs.fat mkfs.vfat mkswap mount umount swapon \
  cryptsetup dd udevadm nixos-generate-config nixos-install loadkeys reboot; do
  printf '#!/bin/sh\necho "%s $*" >> "%s/calls.log"\nexit 0\n' "$p" "$work" >"$stubs/$p"
  chmod +x "$stubs/$p"
done

disk="$work/disk.img"
truncate -s 64M "$disk"
disk_sum=$(sha256sum "$disk" | cut -d' ' -f1)

screen() { tmux -L "$sock" capture-pane -p -t main 2>/dev/null || true; }

# wait_for TEXT: until TEXT is on the screen (the installer still running)
wait_for() {
  local text=$1 deadline=$((SECONDS + 20))
  while :; do
    if screen | grep -qF -- "$text"; then return 0; fi
    if [ -e "$rc_file" ]; then
      echo "installer ended (rc $(cat "$rc_file")) while waiting for \"$text\"; stderr:" >&2
      cat "$err_file" >&2 || true
      return 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "timed out waiting for \"$text\"; screen:" >&2
      screen >&2
      return 1
    fi
    sleep 0.05
  done
}
keys() { tmux -L "$sock" send-keys -t main "$@"; }
type_line() { tmux -L "$sock" send-keys -t main -l -- "$1"; tmux -L "$sock" send-keys -t main Enter; }
# step TITLE: wait for the screen, then send the remaining arguments as keys
step() {
  local title=$1
  shift
  wait_for "$title"
  [ $# -eq 0 ] || keys "$@"
}
# answer TITLE TEXT: wait for an input box and type TEXT into it
answer() {
  wait_for "$1"
  type_line "$2"
}

# start_installer NAME ARGS...: run the installer in a fresh tmux session
start_installer() {
  local name=$1
  shift
  target="$work/$name/target"
  out_file="$work/$name/stdout"
  err_file="$work/$name/stderr"
  rc_file="$work/$name/rc"
  mkdir -p "$work/$name"
  tmux -L "$sock" kill-server 2>/dev/null || true
  local cmd
  cmd=$(printf '%q ' env "PATH=$stubs:$PATH" TERM=screen bash "$installer" --dry-run --target "$target" \
    --disk "$disk" --flake "$here/../.." "$@")
  tmux -L "$sock" -f /dev/null new-session -d -s main -x 120 -y 40 \
    "$cmd >$(printf '%q' "$out_file") 2>$(printf '%q' "$err_file"); echo \$? >$(printf '%q' "$rc_file")"
}

wait_done() {
  local deadline=$((SECONDS + 30))
  while [ ! -e "$rc_file" ]; do
    [ "$SECONDS" -lt "$deadline" ] || { echo "installer did not finish; screen:" >&2; screen >&2; return 1; }
    sleep 0.05
  done
}

# hash_matches HASH PASSWORD: the SHA-512 crypt hash is of that password
hash_matches() {
  local hash=$1 pw=$2 salt
  salt=$(printf '%s' "$hash" | cut -d'$' -f3)
  if command -v openssl >/dev/null 2>&1; then
    [ "$(printf '%s\n' "$pw" | openssl passwd -6 -salt "$salt" -stdin)" = "$hash" ]
  elif command -v mkpasswd >/dev/null 2>&1; then
    [ "$(printf '%s\n' "$pw" | mkpasswd --method=sha-512 --salt="$salt" --stdin)" = "$hash" ]
  else
    echo "(no openssl or mkpasswd: hash format checked only)" >&2
  fi
}

common_checks() { # common_checks NAME PASSWORD
  local name=$1 pw=$2 cfg="$target/etc/nixos/configuration.nix" flake="$target/etc/nixos/flake.nix" hash
  check "$name: installer exited 0" test "$(cat "$rc_file")" = 0
  check "$name: configuration.nix written" test -s "$cfg"
  check "$name: flake.nix written" test -s "$flake"
  for m in base rt-audio console hydramesh; do
    check "$name: imports archibaldos.nixosModules.$m" has "$cfg" "archibaldos.nixosModules.$m"
  done
  check "$name: imports hardware-configuration.nix" has "$cfg" "./hardware-configuration.nix"
  # shellcheck disable=SC2016 # a literal regular expression
  check "$name: password stored as a SHA-512 crypt hash" has_re "$cfg" 'hashedPassword = "\$6\$[./A-Za-z0-9]+\$[./A-Za-z0-9]{86}";'
  hash=$(sed -n -E 's/.*hashedPassword = "([^"]+)";.*/\1/p' "$cfg")
  check "$name: the hash is of the typed password" hash_matches "$hash" "$pw"
  # shellcheck disable=SC2016 # arguments of the inner shell
  check "$name: the password itself appears nowhere" bash -c '! grep -rqF -- "$1" "$2" "$3" "$4"' _ "$pw" "$target" "$out_file" "$err_file"
  check "$name: flake input is the copied ArchibaldOS source" has "$flake" 'archibaldos.url = "path:./archibaldos";'
  if command -v nix-instantiate >/dev/null 2>&1; then
    check "$name: configuration.nix parses" nix-instantiate --parse "$cfg"
    check "$name: flake.nix parses" nix-instantiate --parse "$flake"
  fi
  check "$name: dry run printed the partitioning" has "$out_file" "DRY-RUN: parted --script $disk -- mklabel gpt"
  check "$name: dry run printed the wipe" has "$out_file" "DRY-RUN: wipefs --all $disk"
  check "$name: dry run printed mkfs.ext4" has_re "$out_file" "^DRY-RUN: mkfs.ext4 -F -L archibald "
  check "$name: dry run printed nixos-install" has_re "$out_file" "^DRY-RUN: nixos-install --root "
  check "$name: dry run printed the configuration" has "$out_file" "===== $cfg ====="
  check "$name: no disk command ran" test ! -e "$work/calls.log"
  check "$name: the disk image is untouched" test "$(sha256sum "$disk" | cut -d' ' -f1)" = "$disk_sum"
}

# ---- run 1: headless rig, HydraMesh on, UEFI --------------------------------
start_installer rig --firmware uefi
step "Keyboard layout" Down Down Enter # us, uk, de
step "Setup profile" Down Enter        # headless
step "Target disk" Enter               # the preselected image
step "Erase the disk?" Left Enter      # default is No: move to Yes
answer "Confirm the disk" "$disk"
answer "Host name" "Bad_Host!"
step "Invalid host name" Enter
answer "Host name" "rig-42"
answer "User name" "alice"
answer "Password for " "s3cret-pass"
answer "The same password again" "s3cret-pass"
step "HydraMesh" Enter                 # Yes
step "Locale" Down Down Enter          # de_DE.UTF-8
step "Time zone" Down Down Enter       # Europe/Berlin
step "Ready to install" Left Enter
wait_done
common_checks rig "s3cret-pass"
cfg="$target/etc/nixos/configuration.nix"
check "rig: host name" has "$cfg" 'networking.hostName = "rig-42";'
check "rig: user" has "$cfg" 'users.users."alice" = {'
check "rig: console controls the user's PipeWire" has "$cfg" 'services.archibald-console.audioUser = "alice";'
check "rig: HydraMesh on" has "$cfg" 'services.hydramesh.enable = true;'
check "rig: no desktop module" lacks "$cfg" 'nixosModules.desktop'
check "rig: no desktop" lacks "$cfg" 'archibald.desktop.enable'
check "rig: locale" has "$cfg" 'i18n.defaultLocale = "de_DE.UTF-8";'
check "rig: time zone" has "$cfg" 'time.timeZone = "Europe/Berlin";'
check "rig: console keymap" has "$cfg" 'console.keyMap = "de";'
check "rig: xkb layout" has "$cfg" 'services.xserver.xkb.layout = "de";'
check "rig: UEFI boot loader" has "$cfg" 'boot.loader.systemd-boot.enable = true;'
check "rig: ESP created" has_re "$out_file" '^DRY-RUN: mkfs.fat -F 32 -n BOOT '
check "rig: flake names the host" has "$target/etc/nixos/flake.nix" 'nixosConfigurations."rig-42"'

# ---- run 2: workstation, HydraMesh off, BIOS, a few mistakes -----------------
start_installer desk --firmware bios
step "Keyboard layout" Enter           # us
step "Setup profile" Enter             # workstation
step "Target disk" Enter
step "Erase the disk?" Left Enter
answer "Confirm the disk" "/dev/not-this-one"
step "Not confirmed" Enter
step "Target disk" Enter
step "Erase the disk?" Left Enter
answer "Confirm the disk" "$disk"
answer "Host name" ""                  # default: archibald
answer "User name" "bob"
answer "Password for " "short"
step "Password too short" Enter
answer "Password for " "longenough1"
answer "The same password again" "different1"
step "Passwords differ" Enter
answer "Password for " "longenough1"
answer "The same password again" "longenough1"
step "HydraMesh" Right Enter           # No
step "Locale" Enter                    # en_US.UTF-8
step "Time zone" End Enter             # other
answer "Other time zone" "Europe/Vienna"
step "Ready to install" Left Enter
wait_done
common_checks desk "longenough1"
cfg="$target/etc/nixos/configuration.nix"
check "desk: default host name" has "$cfg" 'networking.hostName = "archibald";'
check "desk: user" has "$cfg" 'users.users."bob" = {'
check "desk: HydraMesh off" has "$cfg" 'services.hydramesh.enable = false;'
check "desk: desktop module imported" has "$cfg" 'archibaldos.nixosModules.desktop'
check "desk: desktop enabled" has "$cfg" 'archibald.desktop.enable = true;'
check "desk: locale" has "$cfg" 'i18n.defaultLocale = "en_US.UTF-8";'
check "desk: typed time zone" has "$cfg" 'time.timeZone = "Europe/Vienna";'
check "desk: console keymap" has "$cfg" 'console.keyMap = "us";'
check "desk: BIOS boot loader on the disk" has "$cfg" "boot.loader.grub.device = \"$disk\";"
check "desk: no ESP on BIOS" lacks "$out_file" 'mkfs.fat'

# ---- refusals without a terminal dialog ---------------------------------------
# shellcheck disable=SC2016 # arguments of the inner shell
check "unknown argument refused" bash -c '! bash "$1" --bogus' _ "$installer"
# shellcheck disable=SC2016
check "bad firmware refused" bash -c '! bash "$1" --dry-run --firmware floppy' _ "$installer"

echo "installer-dry-run: $pass passed, $fail failed"
[ "$fail" = 0 ]
