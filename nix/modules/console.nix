# The ArchibaldOS web console as a hardened systemd service.
#
# Which user it runs as:
#   * audioUser set (the usual case, the performer whose session PipeWire it
#     patches): the service runs as that user.  PipeWire's socket lives in
#     /run/user/<uid>, a 0700 directory of that user, so no other user could
#     reach it without loosening the directory; running as the owner is the
#     honest way.  The user lingers so its PipeWire runs without a login.
#   * system-wide PipeWire (archibald.rtAudio.pipewire.systemWide or
#     services.pipewire.systemWide): a dedicated `archibald` system user in the
#     `pipewire` group talks to /run/pipewire.
#   * neither: the dedicated user, and the console reports PipeWire as absent.
#
# Data: /var/lib/archibald (StateDirectory), shared with the `archibald` CLI
# of the package; run as root, the CLI switches to this service's user so the
# SQLite files stay the service's (nix/pkgs/archibald-console/archibald-cli.sh).
#
# Privileges: the console starts only its own allow-list of programs; the only
# privileged one is archibald-helper (nix/pkgs/archibald-helper), granted
# through sudo for exactly its three verbs (NOPASSWD, nothing else).
{
  config,
  lib,
  pkgs,
  ...
}:

let
  inherit (lib)
    mkEnableOption
    mkIf
    mkMerge
    mkOption
    mkDefault
    types
    literalExpression
    optional
    optionals
    ;
  cfg = config.services.archibald-console;

  # The rt-audio module may not be imported at all: look its options up softly.
  rtEnabled = lib.attrByPath [ "archibald" "rtAudio" "enable" ] false config;
  pipewireSystemWide = lib.attrByPath [ "services" "pipewire" "systemWide" ] false config;
  hydrameshEditable =
    lib.attrByPath [ "services" "hydramesh" "enable" ] false config
    && lib.attrByPath [ "services" "hydramesh" "mutableConfig" ] false config;

  dedicatedUser = pipewireSystemWide || cfg.audioUser == null;
  user = if dedicatedUser then "archibald" else cfg.audioUser;
  audioUid = if cfg.audioUser == null then null else config.users.users.${cfg.audioUser}.uid or null;

  runtimeDir =
    if pipewireSystemWide then
      "/run/pipewire"
    else if cfg.audioUser != null && audioUid != null then
      "/run/user/${toString audioUid}"
    else
      null;
  userRuntime = !pipewireSystemWide && runtimeDir != null;

  helperExe = lib.getExe cfg.helper.package;
  helperVerbs = [
    "write"
    "setpci-latency"
    "chrt"
  ];

  # The box's PipeWire (pw-* must match the daemon) and the helper the sudo
  # rule names: the package's `archibald` wrapper is built with exactly these.
  pipewirePackage = config.services.pipewire.package or pkgs.pipewire;

  # Exactly the programs the console may start (its allow-list: pw-dump pw-link
  # pw-cli pw-metadata pw-profiler pw-jack jack_iodelay cyclictest
  # archibald-helper sudo nix nixos-rebuild systemctl, and stdbuf under
  # pw-jack): the package's own list (also on its CLI's PATH), plus what
  # belongs to the system.  sudo is the setuid wrapper in /run/wrappers/bin.
  programs =
    cfg.finalPackage.runtimePrograms
    ++ [
      (config.nix.package or pkgs.nix)
      (config.system.build.nixos-rebuild or pkgs.nixos-rebuild)
      (config.systemd.package or pkgs.systemd)
    ]
    ++ optional cfg.helper.enable cfg.helper.package
    ++ cfg.extraPackages;
  programPath = lib.concatStringsSep ":" (
    optional cfg.helper.enable "/run/wrappers/bin" ++ [ (lib.makeBinPath programs) ]
  );
in
{
  options.services.archibald-console = {
    enable = mkEnableOption "the ArchibaldOS web console";

    package = mkOption {
      type = types.package;
      default = pkgs.archibald-console;
      defaultText = literalExpression "pkgs.archibald-console";
      description = ''
        The console package (the flake's packages.<system>.console, built by
        nix/pkgs/archibald-console).  The module overrides it with the box's
        PipeWire and helper; see `finalPackage`.
      '';
    };

    finalPackage = mkOption {
      type = types.package;
      readOnly = true;
      default = cfg.package.override {
        inherit (cfg) dataDir;
        pipewire = pipewirePackage;
        archibald-helper = if cfg.helper.enable then cfg.helper.package else null;
      };
      defaultText = literalExpression ''
        config.services.archibald-console.package.override {
          inherit (config.services.archibald-console) dataDir;
          pipewire = config.services.pipewire.package;
          archibald-helper = if config.services.archibald-console.helper.enable
            then config.services.archibald-console.helper.package else null;
        }
      '';
      description = ''
        The package the service runs and the system installs: `package` with
        the box's PipeWire, the helper the sudo rule names and `dataDir`, so `archibald`
        (the CLI) starts the same programs as the service (only its small
        wrapper layer is rebuilt).  Read-only; other modules (rt-audio's
        `audio-setup`) use it.
      '';
    };

    port = mkOption {
      type = types.port;
      default = 8420;
      description = "TCP port of the console (pages, API and WebSocket share it).";
    };

    bind = mkOption {
      type = types.str;
      default = "0.0.0.0";
      example = "127.0.0.1";
      description = "IP address the console listens on.";
    };

    openFirewall = mkOption {
      type = types.bool;
      default = false;
      description = "Open `port` in the firewall so tablets and phones on the LAN can reach the console.";
    };

    allowedOrigins = mkOption {
      type = types.listOf types.str;
      default = [ ];
      example = [ "http://rig.local:8420" ];
      description = ''
        Origins (scheme://host:port) the console accepts requests and
        WebSockets from.  Empty means the box's own addresses.
      '';
    };

    logLevel = mkOption {
      type = types.enum [
        "fatal"
        "error"
        "warn"
        "info"
        "debug"
        "trace"
        "silent"
      ];
      default = "info";
      description = "Log level of the console (its log goes to the journal).";
    };

    sessionIdleHours = mkOption {
      type = types.ints.positive;
      default = 168;
      description = "Hours after which an unused login session expires.";
    };

    audioUser = mkOption {
      type = types.nullOr types.str;
      default = null;
      example = "performer";
      description = ''
        The user whose session PipeWire the console controls.  The console
        then runs as this user (see the comment at the top of this module) and
        the user's uid must be set (`users.users.<name>.uid`) so the runtime
        directory /run/user/<uid> is known at build time.  Ignored with a
        system-wide PipeWire.
      '';
    };

    dataDir = mkOption {
      type = types.str;
      default = "/var/lib/archibald";
      readOnly = true;
      description = "Where the console keeps its database and files (the unit's StateDirectory).";
    };

    cpuAffinity = mkOption {
      type = types.nullOr (types.listOf types.ints.unsigned);
      default = if rtEnabled then config.archibald.rtAudio.cpu.housekeepingCores else null;
      defaultText = literalExpression "config.archibald.rtAudio.cpu.housekeepingCores when rt-audio is enabled, else null";
      description = "CPUs the console may run on; keep it off the isolated audio cores.  `null` does not pin it.";
    };

    memoryMax = mkOption {
      type = types.str;
      default = "512M";
      description = "Hard memory limit of the service (systemd MemoryMax=).";
    };

    helper = {
      enable = mkOption {
        type = types.bool;
        default = true;
        description = ''
          Grant the console's user the privileged helper's verbs through sudo
          (write, setpci-latency, chrt; each refuses anything outside its fixed
          patterns).  Without it the tuning page can check but not change.
          sudo is setuid, so with the helper the unit cannot use
          NoNewPrivileges nor any seccomp-based option (for a non-root unit
          systemd implies NoNewPrivileges with them); it keeps the mount
          namespace, device and capability restrictions.  Disable the helper for
          the full sandbox.
        '';
      };
      package = mkOption {
        type = types.package;
        default = pkgs.archibald-helper;
        defaultText = literalExpression "pkgs.archibald-helper";
        description = "The helper package; the sudo rule names its store path.";
      };
    };

    extraPackages = mkOption {
      type = types.listOf types.package;
      default = [ ];
      description = "More packages whose programs the console may find (added to ARCHIBALD_PATH).";
    };

    environment = mkOption {
      type = types.attrsOf types.str;
      default = { };
      example = {
        ARCHIBALD_LOG_LEVEL = "debug";
      };
      description = "Extra environment of the service; overrides the values this module derives.";
    };
  };

  config = mkIf cfg.enable (mkMerge [
    {
      assertions = [
        {
          assertion = pipewireSystemWide || cfg.audioUser == null || audioUid != null;
          message = "services.archibald-console.audioUser = \"${toString cfg.audioUser}\" needs users.users.${toString cfg.audioUser}.uid set, to know its PipeWire runtime directory /run/user/<uid>.";
        }
        {
          assertion = !cfg.helper.enable || !(config.security.sudo.execWheelOnly or false);
          message = "services.archibald-console.helper needs sudo for a non-wheel user: security.sudo.execWheelOnly must be false (or disable the helper).";
        }
      ];

      users.users = mkMerge [
        (mkIf dedicatedUser {
          archibald = {
            isSystemUser = true;
            group = "archibald";
            description = "ArchibaldOS console";
            extraGroups = optional pipewireSystemWide "pipewire" ++ optional hydrameshEditable "hydramesh";
          };
        })
        (mkIf (!dedicatedUser) {
          ${cfg.audioUser} = {
            # its PipeWire must run at boot, without anyone logging in
            linger = mkDefault true;
            extraGroups = optional hydrameshEditable "hydramesh";
          };
        })
      ];
      users.groups = mkIf dedicatedUser { archibald = { }; };

      networking.firewall.allowedTCPPorts = optionals cfg.openFirewall [ cfg.port ];

      security.sudo.extraRules = mkIf cfg.helper.enable [
        {
          users = [ user ];
          runAs = "root";
          commands = map (verb: {
            command = "${helperExe} ${verb} *";
            options = [ "NOPASSWD" ];
          }) helperVerbs;
        }
      ];

      # `archibald` (the CLI) for admins; run by root it switches to the service's user (see the package)
      environment.systemPackages = [ cfg.finalPackage ] ++ optional cfg.helper.enable cfg.helper.package;

      systemd.services.archibald-console = {
        description = "ArchibaldOS web console";
        wantedBy = [ "multi-user.target" ];
        wants = [ "network-online.target" ] ++ optional userRuntime "user@${toString audioUid}.service";
        after = [
          "network-online.target"
          "nss-user-lookup.target"
        ]
        ++ optional userRuntime "user@${toString audioUid}.service"
        ++ optional pipewireSystemWide "pipewire.service";
        path = programs;

        environment = {
          NODE_ENV = "production";
          ARCHIBALD_PORT = toString cfg.port;
          ARCHIBALD_BIND = cfg.bind;
          ARCHIBALD_DATA_DIR = cfg.dataDir;
          ARCHIBALD_HOST_ROOT = "/";
          ARCHIBALD_ALLOWED_ORIGINS = lib.concatStringsSep "," cfg.allowedOrigins;
          ARCHIBALD_LOG_LEVEL = cfg.logLevel;
          ARCHIBALD_SESSION_IDLE_HOURS = toString cfg.sessionIdleHours;
          ARCHIBALD_PATH = programPath;
        }
        // lib.optionalAttrs (runtimeDir != null) {
          ARCHIBALD_PIPEWIRE_RUNTIME_DIR = runtimeDir;
        }
        // cfg.environment;

        serviceConfig = {
          Type = "simple";
          ExecStart = lib.getExe cfg.finalPackage;
          User = user;
          Group = if dedicatedUser then "archibald" else config.users.users.${user}.group or "users";
          StateDirectory = "archibald";
          StateDirectoryMode = "0750";
          WorkingDirectory = cfg.dataDir;
          UMask = "0077";
          Restart = "on-failure";
          RestartSec = 2;
          # the server ends its children and closes the database on SIGTERM
          TimeoutStopSec = 15;

          # --- never in the way of the audio -------------------------------
          Nice = 19;
          CPUSchedulingPolicy = "idle";
          IOSchedulingClass = "idle";
          MemoryMax = cfg.memoryMax;
          TasksMax = 512;
          # if memory runs out, the console goes before anything audible
          OOMScoreAdjust = 500;
          # The console itself stays SCHED_IDLE; these limits only let the latency
          # benchmark it starts (cyclictest -p, -m) ask for SCHED_FIFO and locked
          # memory, as the audio group may. A unit gets no PAM limits, so they are
          # set here. cyclictest pins itself to the CPUs it is given (-a), which
          # CPUAffinity= does not forbid (it is a mask, not a cpuset).
          LimitRTPRIO = 95;
          LimitMEMLOCK = "infinity";

          # --- sandbox: mount namespace, devices, capabilities (always) ------
          ProtectSystem = "strict";
          # /home, /root and /run/user become empty read-only tmpfs; only the
          # audio user's runtime dir is bound back in, so the console sees its
          # PipeWire socket and nothing else of anyone's session.  A read-write
          # bind: ProtectSystem=strict would otherwise make it read-only, and
          # pw-cli/pw-jack clients may create files there.
          ProtectHome = "tmpfs";
          BindPaths = optional userRuntime runtimeDir;
          ReadWritePaths =
            optional hydrameshEditable "/etc/hydramesh"
            # sudo's timestamp directory (unused with NOPASSWD; harmless if absent)
            ++ optional cfg.helper.enable "-/run/sudo";
          PrivateTmp = true;
          ProtectControlGroups = true;
          # the console probes these (cpu_dma_latency, RTC, HPET); no sound devices
          DevicePolicy = "closed";
          DeviceAllow = [
            "/dev/cpu_dma_latency rw"
            "/dev/rtc0 r"
            "/dev/hpet r"
          ];
          # RemoveIPC would wipe the audio user's SysV IPC (JACK clients) on stop
          RemoveIPC = dedicatedUser;
          AmbientCapabilities = "";
          # With the helper, this bounding set is all that root (sudo and the
          # helper it runs) can have inside this unit.
          CapabilityBoundingSet =
            if cfg.helper.enable then
              [
                "CAP_SETUID" # sudo
                "CAP_SETGID" # sudo
                "CAP_AUDIT_WRITE" # sudo's audit record
                "CAP_SYS_RESOURCE" # sudo restores resource limits
                "CAP_DAC_OVERRIDE" # write /proc/sys, /sys attributes
                "CAP_SYS_ADMIN" # PCI config space (setpci), IRQ affinity
                "CAP_SYS_NICE" # chrt on other users' threads
              ]
            else
              "";
          # V8's JIT needs writable+executable memory
          MemoryDenyWriteExecute = false;
        }
        # --- sandbox: seccomp and no-new-privileges (only without the helper) --
        # sudo is setuid, so the helper cannot work under NoNewPrivileges=yes.
        # Mind that for a non-root unit systemd *implies* NoNewPrivileges=yes
        # as soon as any seccomp-based option is set (SystemCallFilter,
        # SystemCallArchitectures, RestrictAddressFamilies, RestrictNamespaces,
        # RestrictRealtime, RestrictSUIDSGID, LockPersonality, ProtectClock,
        # ProtectHostname, ProtectKernelModules/Logs/Tunables, PrivateDevices):
        # setting NoNewPrivileges=false alone would still break sudo.  So with
        # the helper enabled the unit keeps the mount namespace, device and
        # capability restrictions above, the helper refuses everything outside
        # its fixed verbs and patterns, and sudo grants nothing else.  With the
        # helper disabled the console gets the full seccomp sandbox.  (To have
        # both, the privileged side would have to live outside this unit, e.g.
        # a socket-activated root service the console talks to instead of sudo.)
        // lib.optionalAttrs (!cfg.helper.enable) {
          NoNewPrivileges = true;
          ProtectKernelTunables = true;
          ProtectKernelModules = true;
          ProtectKernelLogs = true;
          ProtectClock = true;
          ProtectHostname = true;
          RestrictNamespaces = true;
          RestrictRealtime = true;
          RestrictSUIDSGID = true;
          LockPersonality = true;
          SystemCallArchitectures = "native";
          SystemCallFilter = [
            "@system-service"
            "~@privileged"
            "~@resources"
          ];
          RestrictAddressFamilies = [
            "AF_UNIX"
            "AF_INET"
            "AF_INET6"
            "AF_NETLINK"
          ];
        }
        // lib.optionalAttrs cfg.helper.enable {
          NoNewPrivileges = false;
        }
        // lib.optionalAttrs (cfg.cpuAffinity != null) {
          CPUAffinity = lib.concatMapStringsSep " " toString cfg.cpuAffinity;
        };
      };
    }
  ]);
}
