#!/usr/bin/env bash
# Evaluate what the installer generates against this repository's modules,
# with nix-light-check (outside CI: it needs the nixpkgs.lib and musnix
# snapshots described in its header, via NIXPKGS_LIB_GIT and MUSNIX_GIT).
#
#   NIX_LIGHT_CHECK=/path/to/nix-light-check bash nix/tests/light-check-generated.sh
#
# Runs the installer's dry-run test (two installs: a headless rig with
# HydraMesh on, a workstation with it off), wraps the two generated
# configuration.nix files in a flake whose `archibaldos` input is a snapshot of
# this repository's tracked files, and type-checks both systems.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
tool=${NIX_LIGHT_CHECK:-$root/../shared/tools/nix-light-check}
[ -f "$tool" ] || { echo "nix-light-check not found: set NIX_LIGHT_CHECK" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/archibald-light-generated.XXXXXX")
trap 'rm -rf "$work"' EXIT

KEEP_WORK=1 bash "$here/installer-dry-run.sh" >"$work/dry-run.log" 2>&1 || { cat "$work/dry-run.log"; exit 1; }
kept=$(sed -n 's/^kept //p' "$work/dry-run.log")
[ -d "$kept" ] || { echo "installer-dry-run.sh kept no work directory" >&2; exit 1; }

flake="$work/flake"
for n in rig desk; do
  mkdir -p "$flake/$n"
  cp "$kept/$n/target/etc/nixos/configuration.nix" "$flake/$n/"
  # stands in for what nixos-generate-config writes on the machine
  cat >"$flake/$n/hardware-configuration.nix" <<'EOF'
{ ... }:
{
  fileSystems."/" = {
    device = "/dev/disk/by-label/archibald";
    fsType = "ext4";
  };
  boot.initrd.availableKernelModules = [ "ahci" "xhci_pci" "nvme" "usb_storage" "sd_mod" ];
}
EOF
done
rm -rf "$kept"
cat >"$flake/flake.nix" <<'EOF'
{
  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.11";
    musnix = {
      url = "github:musnix/musnix";
      inputs.nixpkgs.follows = "nixpkgs";
    };
    archibaldos = {
      url = "path:./archibaldos";
      inputs.nixpkgs.follows = "nixpkgs";
      inputs.musnix.follows = "musnix";
    };
  };
  outputs =
    { nixpkgs, archibaldos, ... }:
    {
      nixosConfigurations = nixpkgs.lib.genAttrs [ "rig" "desk" ] (
        n:
        nixpkgs.lib.nixosSystem {
          system = "x86_64-linux";
          specialArgs = { inherit archibaldos; };
          modules = [ ./${n}/configuration.nix ];
        }
      );
    };
}
EOF
# the repository as nix would see it: tracked files only
mkdir -p "$work/archibaldos"
(cd "$root" && git ls-files -z | tar --null -T - -c) | tar -x -C "$work/archibaldos"
git -C "$flake" init -q
git -C "$flake" add -A

OVERRIDES="archibaldos=$work/archibaldos" \
  EXTRA_PKGS="${EXTRA_PKGS:-nixos-rebuild sddm-astronaut imagemagick xdg-desktop-portal-gtk kbd}" \
  WORK="$work/eval" \
  bash "$tool" light "$flake"
