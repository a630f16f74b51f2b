#!/usr/bin/env bash
# ArchibaldOS installer: a dialog(1) TUI that erases one disk, partitions it
# (GPT, ext4 root labelled "archibald", FAT32 ESP labelled "BOOT" on UEFI or a
# bios_grub partition on BIOS), writes a flake-based configuration importing the
# ArchibaldOS modules, and runs nixos-install.
#
#   archibald-installer [--dry-run] [--target DIR] [--disk PATH] [--firmware uefi|bios] [--flake DIR]
#
#   --dry-run    ask everything, then print every command instead of running it and
#                write the generated configuration under --target (default: a new
#                temporary directory) instead of the disk.  Touches no disk; a
#                regular file may stand in for the disk.
#   --target     where the new system is mounted (default /mnt).
#   --disk       preselect this disk in the menu.
#   --firmware   force the boot firmware type (default: uefi if /sys/firmware/efi exists).
#   --flake      the ArchibaldOS flake source copied to the new system
#                (default $ARCHIBALD_FLAKE_SRC, set by the ISO).
#
# Steps: keyboard, profile (workstation or headless rig), disk (confirmed twice),
# host name, user, password (hashed with SHA-512, never written in clear),
# HydraMesh on/off, locale, time zone, a summary, then the installation.
set -euo pipefail

readonly BACKTITLE="ArchibaldOS installer"
DRY_RUN=0
TARGET=""
PRESET_DISK=""
FIRMWARE=""
FLAKE_SRC=${ARCHIBALD_FLAKE_SRC:-}
STATE_VERSION=${ARCHIBALD_STATE_VERSION:-25.11}
LOG=""

# answers
KEYMAP="" XKB="" PROFILE="" DISK="" HOST="" USERNAME="" PASSWORD_HASH=""
HYDRAMESH="" LOCALE="" TIMEZONE=""

die() {
  printf 'archibald-installer: %s\n' "$*" >&2
  exit 1
}

usage() {
  cat >&2 <<'USAGE'
usage: archibald-installer [--dry-run] [--target DIR] [--disk PATH] [--firmware uefi|bios] [--flake DIR]
  --dry-run   ask everything, print every command instead of running it, write the
              generated configuration under --target (default: a new temporary directory)
  --target    where the new system is mounted (default /mnt)
  --disk      preselect this disk (in a dry run a regular file may stand in for it)
  --firmware  force uefi or bios (default: uefi if /sys/firmware/efi exists)
  --flake     ArchibaldOS flake source to copy (default $ARCHIBALD_FLAKE_SRC)
USAGE
  exit 2
}

log() {
  printf '%s %s\n' "$(date '+%F %T')" "$*" >>"$LOG"
}

# run CMD...: the only way this script changes the machine.
run() {
  if [ "$DRY_RUN" = 1 ]; then
    printf 'DRY-RUN:'
    printf ' %q' "$@"
    printf '\n'
    log "dry-run: $*"
    return 0
  fi
  log "run: $*"
  printf '==> %s\n' "$*"
  "$@" 2>&1 | tee -a "$LOG" || die "failed: $* (see $LOG)"
}

# run_soft CMD...: like run, but a failure is logged and ignored (the live
# keymap cannot be set from a graphical terminal or over ssh, for example)
run_soft() {
  if [ "$DRY_RUN" = 1 ]; then
    run "$@"
  elif ! "$@" >>"$LOG" 2>&1; then
    log "ignored failure: $*"
  fi
}

# ---------------------------------------------------------------- dialogs ---
# dialog draws on the terminal (--stdout makes it reopen /dev/tty) and prints
# the answer on stdout; --clear leaves one box on the screen at a time.
ui() {
  dialog --clear --backtitle "$BACKTITLE" --stdout "$@"
}

ui_msg() { ui --title "$1" --msgbox "$2" 12 72 >/dev/null || true; }

clear_screen() { if [ -t 1 ]; then clear 2>/dev/null || true; fi; }

cancelled() {
  clear_screen
  printf 'Installation cancelled. Nothing was written to any disk.\n'
  exit 1
}

# ------------------------------------------------------------- validation ---
valid_hostname() { [[ $1 =~ ^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$ ]]; }

valid_username() {
  [[ $1 =~ ^[a-z_][a-z0-9_-]{0,30}$ ]] || return 1
  case "$1" in
    root | nixos | nobody | daemon | archibald | hydramesh | pipewire | sddm | messagebus | systemd-* | nixbld*) return 1 ;;
  esac
}

valid_locale() { [[ $1 =~ ^[a-z]{2,3}_[A-Z]{2}\.UTF-8$ ]]; }

zoneinfo_dir() {
  local d
  for d in /etc/zoneinfo /usr/share/zoneinfo; do
    [ -d "$d" ] && { printf '%s\n' "$d"; return 0; }
  done
  return 1
}

valid_timezone() {
  [[ $1 =~ ^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+){0,2}$ ]] || return 1
  local dir
  if dir=$(zoneinfo_dir); then [ -f "$dir/$1" ]; fi
}

# A disk is a whole block device with nothing mounted from it; in a dry run a
# regular file may stand in for it.
valid_disk() {
  local d=$1
  if [ -b "$d" ]; then
    [ "$(lsblk -dno TYPE "$d" 2>/dev/null)" = disk ] || return 1
    if lsblk -nro MOUNTPOINT "$d" 2>/dev/null | grep -q .; then return 1; fi
  else
    [ "$DRY_RUN" = 1 ] && [ -f "$d" ]
  fi
}

disk_label() {
  local d=$1
  if [ -b "$d" ]; then
    lsblk -dno SIZE,MODEL "$d" 2>/dev/null | sed 's/  */ /g; s/^ //; s/ $//'
  else
    printf 'image file, %s bytes' "$(stat -c %s "$d")"
  fi
}

# partition N of disk D: /dev/sda -> /dev/sda1, /dev/nvme0n1 -> /dev/nvme0n1p1
part() {
  if [[ $1 =~ [0-9]$ ]]; then printf '%sp%s\n' "$1" "$2"; else printf '%s%s\n' "$1" "$2"; fi
}

hash_password() { # password on stdin, SHA-512 crypt hash on stdout
  if command -v mkpasswd >/dev/null 2>&1; then
    mkpasswd --method=sha-512 --stdin
  elif command -v openssl >/dev/null 2>&1; then
    openssl passwd -6 -stdin
  else
    die "neither mkpasswd nor openssl is available to hash the password"
  fi
}

# ------------------------------------------------------------------ steps ---
ask_keyboard() {
  local k
  k=$(ui --title "Keyboard layout" --default-item us --menu "Keyboard layout of the console and the desktop:" 20 60 12 \
    us "English (US)" uk "English (UK)" de "German" fr "French" es "Spanish" it "Italian" \
    ch "Swiss German" se "Swedish" no "Norwegian" dk "Danish" "fi" "Finnish" pl "Polish" \
    pt "Portuguese" br "Portuguese (Brazil)" ru "Russian" jp "Japanese") || cancelled
  # console keymap / XKB layout
  case "$k" in
    uk) KEYMAP=uk XKB=gb ;;
    ch) KEYMAP=sg XKB=ch ;;
    se) KEYMAP=sv-latin1 XKB=se ;;
    pt) KEYMAP=pt-latin1 XKB=pt ;;
    br) KEYMAP=br-abnt2 XKB=br ;;
    jp) KEYMAP=jp106 XKB=jp ;;
    *) KEYMAP=$k XKB=$k ;;
  esac
  run_soft loadkeys "$KEYMAP"
}

ask_profile() {
  PROFILE=$(ui --title "Setup profile" --default-item workstation --menu "What kind of machine is this?" 12 72 2 \
    workstation "Hyprland desktop, audio tools, console and RT tuning" \
    headless "Rig without a desktop: console, PipeWire and RT tuning") || cancelled
}

ask_disk() {
  local items=() name rest d answer live=""
  # the medium the live system runs from is never offered
  if command -v findmnt >/dev/null 2>&1; then
    live=$(findmnt -no SOURCE /iso 2>/dev/null | xargs -r lsblk -no PKNAME 2>/dev/null | head -n 1 || true)
  fi
  while read -r name rest; do
    [ -n "$name" ] || continue
    [ -n "$live" ] && [ "$name" = "/dev/$live" ] && continue
    items+=("$name" "${rest:-disk}")
  done < <(lsblk -dpno NAME,SIZE,MODEL,TYPE 2>/dev/null | awk '$NF == "disk" { $NF = ""; print }' || true)
  if [ -n "$PRESET_DISK" ] && ! printf '%s\n' "${items[@]}" | grep -qxF -- "$PRESET_DISK"; then
    [ -e "$PRESET_DISK" ] || die "no such disk: $PRESET_DISK"
    items+=("$PRESET_DISK" "$(disk_label "$PRESET_DISK")")
  fi
  [ "${#items[@]}" -gt 0 ] || die "no disk found to install on"

  while :; do
    d=$(ui --title "Target disk" --default-item "${PRESET_DISK:-${items[0]}}" \
      --menu "Disk to install ArchibaldOS on. EVERYTHING ON IT WILL BE ERASED." 18 72 8 "${items[@]}") || cancelled
    if ! valid_disk "$d"; then
      ui_msg "Disk not usable" "$d is not a whole disk, or something on it is mounted."
      continue
    fi
    ui --title "Erase the disk?" --defaultno --yesno \
      "All data on\n\n  $d ($(disk_label "$d"))\n\nwill be destroyed. Continue?" 12 72 >/dev/null || continue
    answer=$(ui --title "Confirm the disk" --inputbox \
      "To confirm, type the disk's name exactly as shown:\n\n  $d" 12 72 "") || continue
    if [ "$answer" != "$d" ]; then
      ui_msg "Not confirmed" "You typed \"$answer\", not \"$d\". The disk was not selected."
      continue
    fi
    DISK=$d
    return 0
  done
}

ask_hostname() {
  local h
  while :; do
    h=$(ui --title "Host name" --inputbox "Name of this machine on the network (lowercase letters, digits, hyphens). Empty: archibald" 10 72 "") || cancelled
    h=${h:-archibald}
    if valid_hostname "$h"; then HOST=$h; return 0; fi
    ui_msg "Invalid host name" "\"$h\" is not a valid host name: use lowercase letters, digits and hyphens, not at either end, at most 63 characters."
  done
}

ask_user() {
  local u
  while :; do
    u=$(ui --title "User name" --inputbox "Your user name (lowercase; it also runs the audio session the console controls). Empty: performer" 10 72 "") || cancelled
    u=${u:-performer}
    if valid_username "$u"; then USERNAME=$u; return 0; fi
    ui_msg "Invalid user name" "\"$u\" cannot be used: start with a lowercase letter, then lowercase letters, digits, - or _ (at most 31), and not a system name."
  done
}

ask_password() {
  local p1 p2
  while :; do
    p1=$(ui --title "Password" --insecure --passwordbox "Password for $USERNAME (at least 8 characters):" 10 72) || cancelled
    if [ "${#p1}" -lt 8 ]; then
      ui_msg "Password too short" "The password needs at least 8 characters."
      continue
    fi
    p2=$(ui --title "Password again" --insecure --passwordbox "The same password again:" 10 72) || cancelled
    if [ "$p1" != "$p2" ]; then
      ui_msg "Passwords differ" "The two passwords differ. Please enter them again."
      continue
    fi
    PASSWORD_HASH=$(printf '%s\n' "$p1" | hash_password)
    unset p1 p2
    [[ $PASSWORD_HASH == \$6\$* ]] || die "password hashing did not produce a SHA-512 hash"
    return 0
  done
}

ask_hydramesh() {
  if ui --title "HydraMesh" --yesno \
    "Enable HydraMesh, the peer-to-peer audio/data mesh?\n\nIt opens TCP 50051 and UDP 7777, and needs a HydraMesh package (an overlay providing pkgs.hydramesh). You can switch it later in the console or in configuration.nix." 13 72 >/dev/null; then
    HYDRAMESH=true
  else
    HYDRAMESH=false
  fi
}

ask_locale() {
  LOCALE=$(ui --title "Locale" --default-item en_US.UTF-8 --menu "Language and formats:" 18 60 10 \
    en_US.UTF-8 "English (US)" en_GB.UTF-8 "English (UK)" de_DE.UTF-8 "German" fr_FR.UTF-8 "French" \
    es_ES.UTF-8 "Spanish" it_IT.UTF-8 "Italian" pt_BR.UTF-8 "Portuguese (Brazil)" sv_SE.UTF-8 "Swedish" \
    pl_PL.UTF-8 "Polish" ja_JP.UTF-8 "Japanese") || cancelled
  valid_locale "$LOCALE" || die "invalid locale: $LOCALE"
}

ask_timezone() {
  local tz
  while :; do
    tz=$(ui --title "Time zone" --default-item UTC --menu "Time zone:" 20 60 12 \
      UTC "Coordinated Universal Time" Europe/London "London" Europe/Berlin "Berlin" Europe/Paris "Paris" \
      Europe/Madrid "Madrid" Europe/Stockholm "Stockholm" America/New_York "New York" America/Chicago "Chicago" \
      America/Denver "Denver" America/Los_Angeles "Los Angeles" America/Sao_Paulo "Sao Paulo" \
      Asia/Tokyo "Tokyo" Australia/Sydney "Sydney" other "Type another zone") || cancelled
    if [ "$tz" = other ]; then
      tz=$(ui --title "Other time zone" --inputbox "Time zone, as in the tz database (e.g. Europe/Vienna):" 10 72 "") || continue
    fi
    if valid_timezone "$tz"; then TIMEZONE=$tz; return 0; fi
    ui_msg "Unknown time zone" "\"$tz\" is not a known time zone."
  done
}

confirm_summary() {
  ui --title "Ready to install" --defaultno --yesno "$(
    printf 'Disk:       %s (ERASED)\n' "$DISK"
    printf 'Firmware:   %s\n' "$FIRMWARE"
    printf 'Profile:    %s\n' "$PROFILE"
    printf 'Host name:  %s\n' "$HOST"
    printf 'User:       %s\n' "$USERNAME"
    printf 'Keyboard:   %s\n' "$KEYMAP"
    printf 'Locale:     %s\n' "$LOCALE"
    printf 'Time zone:  %s\n' "$TIMEZONE"
    printf 'HydraMesh:  %s\n' "$HYDRAMESH"
    printf '\nInstall now?'
  )" 19 72 >/dev/null || cancelled
}

# ------------------------------------------------------- generated files ---
nix_str() { # a Nix string literal for $1 (the inputs are validated; escape anyway)
  local s=$1
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//\$\{/\\\$\{}
  printf '"%s"' "$s"
}

gen_flake() {
  cat <<EOF
# The system flake of $HOST, written by the ArchibaldOS installer.
# Rebuild after editing configuration.nix:
#   sudo nixos-rebuild switch --flake /etc/nixos#$HOST
# ./archibaldos is the ArchibaldOS flake this system was installed from; to
# update, replace it with a newer checkout (or point the url at a git remote).
{
  inputs = {
    archibaldos.url = "path:./archibaldos";
    nixpkgs.follows = "archibaldos/nixpkgs";
  };

  outputs =
    { archibaldos, nixpkgs, ... }:
    {
      nixosConfigurations.$(nix_str "$HOST") = nixpkgs.lib.nixosSystem {
        system = "x86_64-linux";
        specialArgs = { inherit archibaldos; };
        modules = [ ./configuration.nix ];
      };
    };
}
EOF
}

gen_configuration() {
  local desktop_import="" desktop_enable="" boot
  if [ "$PROFILE" = workstation ]; then
    desktop_import="    archibaldos.nixosModules.desktop"$'\n'
    desktop_enable=$'\n  archibald.desktop.enable = true;\n'
  fi
  if [ "$FIRMWARE" = uefi ]; then
    boot="  boot.loader.systemd-boot.enable = true;
  boot.loader.efi.canTouchEfiVariables = true;"
  else
    boot="  boot.loader.grub.enable = true;
  boot.loader.grub.device = $(nix_str "$DISK");"
  fi
  cat <<EOF
# ArchibaldOS configuration of $HOST ($PROFILE), written by the installer.
# Change it, then: sudo nixos-rebuild switch --flake /etc/nixos#$HOST
{ archibaldos, ... }:

{
  imports = [
    ./hardware-configuration.nix
    archibaldos.nixosModules.base
    archibaldos.nixosModules.rt-audio
    archibaldos.nixosModules.console
    archibaldos.nixosModules.hydramesh
${desktop_import}  ];

  networking.hostName = $(nix_str "$HOST");
  time.timeZone = $(nix_str "$TIMEZONE");
  i18n.defaultLocale = $(nix_str "$LOCALE");
  console.keyMap = $(nix_str "$KEYMAP");
  services.xserver.xkb.layout = $(nix_str "$XKB");

$boot

  users.users.$(nix_str "$USERNAME") = {
    isNormalUser = true;
    uid = 1000;
    extraGroups = [ "wheel" "audio" "video" "networkmanager" ];
    hashedPassword = $(nix_str "$PASSWORD_HASH");
  };

  # the console runs as this user and patches its PipeWire
  services.archibald-console.audioUser = $(nix_str "$USERNAME");

  services.hydramesh.enable = $HYDRAMESH;$([ "$HYDRAMESH" = true ] && printf '\n  # HydraMesh runs once a package is known: services.hydramesh.package = ...;')
${desktop_enable}
  system.stateVersion = $(nix_str "$STATE_VERSION");
}
EOF
}

# write_file PATH: stdin to PATH (under the target, in a dry run too: there the
# target is a scratch directory), and show it in a dry run
write_file() {
  local path=$1
  mkdir -p "$(dirname "$path")"
  cat >"$path"
  log "wrote $path"
  if [ "$DRY_RUN" = 1 ]; then
    printf '\n===== %s =====\n' "$path"
    cat "$path"
    printf '===== end =====\n'
  fi
}

# ---------------------------------------------------------------- install ---
install_system() {
  local esp root
  run wipefs --all "$DISK"
  if [ "$FIRMWARE" = uefi ]; then
    run parted --script "$DISK" -- mklabel gpt \
      mkpart BOOT fat32 1MiB 1GiB set 1 esp on \
      mkpart archibald ext4 1GiB 100%
    esp=$(part "$DISK" 1)
    root=$(part "$DISK" 2)
  else
    run parted --script "$DISK" -- mklabel gpt \
      mkpart bios 1MiB 2MiB set 1 bios_grub on \
      mkpart archibald ext4 2MiB 100%
    esp=""
    root=$(part "$DISK" 2)
  fi
  run_soft udevadm settle
  [ -z "$esp" ] || run mkfs.fat -F 32 -n BOOT "$esp"
  run mkfs.ext4 -F -L archibald "$root"

  run mount "$root" "$TARGET"
  if [ -n "$esp" ]; then
    run mkdir -p "$TARGET/boot"
    run mount -o umask=077 "$esp" "$TARGET/boot"
  fi
  run nixos-generate-config --root "$TARGET"

  [ -n "$FLAKE_SRC" ] || die "no ArchibaldOS flake source: set ARCHIBALD_FLAKE_SRC or pass --flake"
  run mkdir -p "$TARGET/etc/nixos"
  run cp -rT --no-preserve=mode,ownership "$FLAKE_SRC" "$TARGET/etc/nixos/archibaldos"

  gen_flake | write_file "$TARGET/etc/nixos/flake.nix"
  gen_configuration | write_file "$TARGET/etc/nixos/configuration.nix"

  run nixos-install --root "$TARGET" --flake "$TARGET/etc/nixos#$HOST" --no-root-passwd --no-channel-copy
}

cleanup() {
  local rc=$?
  if [ "$DRY_RUN" = 0 ] && [ "$rc" != 0 ] && [ -n "$TARGET" ] && mountpoint -q "$TARGET" 2>/dev/null; then
    umount -R "$TARGET" 2>/dev/null || true
  fi
}

main() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --dry-run) DRY_RUN=1 ;;
      --target) TARGET=${2:?--target needs a directory}; shift ;;
      --disk) PRESET_DISK=${2:?--disk needs a path}; shift ;;
      --firmware) FIRMWARE=${2:?--firmware needs uefi or bios}; shift ;;
      --flake) FLAKE_SRC=${2:?--flake needs a directory}; shift ;;
      -h | --help) usage ;;
      *) die "unknown argument: $1 (see --help)" ;;
    esac
    shift
  done

  case "$FIRMWARE" in
    "") if [ -d /sys/firmware/efi ]; then FIRMWARE=uefi; else FIRMWARE=bios; fi ;;
    uefi | bios) ;;
    *) die "--firmware must be uefi or bios" ;;
  esac

  if [ "$DRY_RUN" = 1 ]; then
    [ -n "$TARGET" ] || TARGET=$(mktemp -d "${TMPDIR:-/tmp}/archibald-dry-run.XXXXXX")
    mkdir -p "$TARGET"
    LOG="$TARGET/install.log"
  else
    [ "$(id -u)" = 0 ] || die "run me as root (sudo archibald-installer), or try --dry-run"
    TARGET=${TARGET:-/mnt}
    LOG=${ARCHIBALD_INSTALL_LOG:-/tmp/archibald-install.log}
  fi
  : >"$LOG"
  command -v dialog >/dev/null 2>&1 || die "dialog is not installed"
  trap cleanup EXIT

  ask_keyboard
  ask_profile
  ask_disk
  ask_hostname
  ask_user
  ask_password
  ask_hydramesh
  ask_locale
  ask_timezone
  confirm_summary

  clear_screen
  if [ "$DRY_RUN" = 1 ]; then
    printf 'ArchibaldOS installer dry run: nothing below is executed, no disk is touched.\n'
  fi
  install_system

  if [ "$DRY_RUN" = 1 ]; then
    printf '\nDry run complete. Generated files: %s/etc/nixos\n' "$TARGET"
  else
    ui_msg "Installed" "ArchibaldOS is installed on $DISK.\n\nRemove the installation medium and reboot. The console will answer on http://$HOST.local:8420"
    if ui --title "Reboot" --yesno "Reboot now?" 8 40 >/dev/null; then
      run reboot
    fi
  fi
}

main "$@"
