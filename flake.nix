{
  description = "ArchibaldOS: a real-time audio NixOS and the web console that runs on it";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.11";
    musnix = {
      url = "github:musnix/musnix";
      inputs.nixpkgs.follows = "nixpkgs";
    };
  };

  outputs =
    {
      self,
      nixpkgs,
      musnix,
      ...
    }:
    let
      inherit (nixpkgs) lib;
      system = "x86_64-linux";
      pkgs = import nixpkgs {
        inherit system;
        overlays = [ self.overlays.default ];
      };

      # Each exported module has a key, so importing one twice (say, `default`
      # and `console`) is harmless.
      overlayModule = {
        key = "archibaldos#overlay";
        nixpkgs.overlays = [ self.overlays.default ];
      };
      musnixModule = {
        key = "archibaldos#musnix";
        imports = [ musnix.nixosModules.musnix ];
      };
      exported = name: imports: {
        key = "archibaldos#${name}";
        inherit imports;
      };

      # A system built from this flake's modules; `archibaldos` (this flake)
      # is passed to every module, as the installer's generated flake does.
      mkSystem =
        modules:
        lib.nixosSystem {
          inherit system;
          specialArgs.archibaldos = self;
          modules = [ self.nixosModules.default ] ++ modules;
        };
    in
    {
      overlays.default = final: prev: {
        archibald-console = final.callPackage ./nix/pkgs/archibald-console { };
        archibald-helper = final.callPackage ./nix/pkgs/archibald-helper { };
        hydramesh-scripts = final.callPackage ./nix/pkgs/hydramesh-scripts { };
      };

      nixosModules = {
        rt-audio = exported "rt-audio" [
          musnixModule
          ./nix/modules/rt-audio.nix
        ];
        console = exported "console" [
          overlayModule
          ./nix/modules/console.nix
        ];
        hydramesh = exported "hydramesh" [
          overlayModule
          ./nix/modules/hydramesh.nix
        ];
        desktop = exported "desktop" [
          overlayModule
          ./nix/modules/desktop.nix
        ];
        # the settings every ArchibaldOS box shares (RT audio and the console on)
        base = exported "base" [
          self.nixosModules.rt-audio
          self.nixosModules.console
          ./nix/hosts/common.nix
        ];
        default = exported "default" [
          self.nixosModules.rt-audio
          self.nixosModules.console
          self.nixosModules.hydramesh
          self.nixosModules.desktop
        ];
      };

      nixosConfigurations = {
        archibald = mkSystem [ ./nix/hosts/archibald.nix ];
        archibald-headless = mkSystem [ ./nix/hosts/archibald-headless.nix ];
        installer = lib.nixosSystem {
          inherit system;
          specialArgs.archibaldos = self;
          modules = [ ./nix/hosts/installer.nix ];
        };
      };

      packages.${system} = {
        console = pkgs.archibald-console;
        archibald-helper = pkgs.archibald-helper;
        installer-iso = self.nixosConfigurations.installer.config.system.build.isoImage;
        default = self.packages.${system}.console;
      };

      checks.${system} = {
        console-vm = pkgs.testers.runNixOSTest (import ./nix/tests/console-vm.nix { archibaldos = self; });
      };
    };
}
