# Shared by the flake's own hosts (archibald, archibald-headless): the disk
# layout the installer creates (partitions labelled BOOT and archibald), UEFI
# boot, and one performer account.  A box installed with the ISO gets its own
# generated configuration instead; these hosts are for `nixos-rebuild
# --flake .#archibald` on such a disk, and for CI.
{ lib, ... }:

{
  imports = [ ./common.nix ];

  boot.loader.systemd-boot.enable = true;
  boot.loader.efi.canTouchEfiVariables = true;
  hardware.enableRedistributableFirmware = true;

  fileSystems."/" = {
    device = "/dev/disk/by-label/archibald";
    fsType = "ext4";
  };
  fileSystems."/boot" = {
    device = "/dev/disk/by-label/BOOT";
    fsType = "vfat";
    options = [ "umask=0077" ];
  };

  users.users.performer = {
    isNormalUser = true;
    uid = 1000;
    description = "Performer";
    extraGroups = [
      "wheel"
      "audio"
      "video"
      "networkmanager"
    ];
    # change it at the first login (passwd)
    initialPassword = "archibald";
  };

  services.archibald-console.audioUser = lib.mkDefault "performer";
}
