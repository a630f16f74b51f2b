# What every ArchibaldOS box has: the RT audio tuning, the console, flakes,
# NetworkManager and mDNS (so tablets reach http://<hostname>.local:8420).
# Exported as nixosModules.base; the installer's generated configuration
# imports it.  Hardware, disks, bootloader and users belong to the host.
{ lib, pkgs, ... }:

{
  archibald.rtAudio.enable = lib.mkDefault true;

  services.archibald-console = {
    enable = lib.mkDefault true;
    openFirewall = lib.mkDefault true;
  };

  nix.settings = {
    experimental-features = [
      "nix-command"
      "flakes"
    ];
    # the console's rebuild page and the desktop user may build
    trusted-users = [
      "root"
      "@wheel"
    ];
  };

  networking.networkmanager.enable = lib.mkDefault true;
  services.avahi = {
    enable = lib.mkDefault true;
    nssmdns4 = true;
    publish = {
      enable = true;
      addresses = true;
    };
  };

  time.timeZone = lib.mkDefault "UTC";
  i18n.defaultLocale = lib.mkDefault "en_US.UTF-8";

  environment.systemPackages = with pkgs; [
    git
    vim
    htop
    usbutils
  ];

  system.stateVersion = lib.mkDefault "25.11";
}
