# HydraMesh, DeMoD's peer-to-peer audio/data mesh node, as a sandboxed service.
#
# The package is not part of ArchibaldOS (upstream has no stable release to
# pin): it comes from an overlay that provides `pkgs.hydramesh`, or from
# `services.hydramesh.package`.  With the service off nothing refers to it, so
# the system evaluates and builds without one.  Enabled without a package (as
# the installer's "HydraMesh on" does on a stock ISO), everything else is set
# up (config, firewall, polkit, toggle) and the build warns; the unit then
# waits, as a failed start condition rather than an error, for a `hydramesh`
# binary in the system profile.
#
# Configuration: /etc/hydramesh/config.toml, snake_case keys as the node reads
# them, generated from `settings`.  By default it is *mutable*: the generated
# file is copied there once (when absent) and then belongs to the box, so the
# console's mesh page can edit peers and settings and restart the node; a
# rebuild does not overwrite those edits (delete the file to regenerate it).
# With `mutableConfig = false` the file is owned by Nix: rewritten on every
# switch, read-only to everyone, and the unit restarts when it changes.
#
# Access: members of group `hydramesh` may read/edit the config and, with the
# groups in `controlGroups`, start/stop/restart the unit through polkit (the
# desktop's hydramesh-toggle and the console use that, no sudo involved).
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
    mkOption
    types
    literalExpression
    optionals
    ;
  cfg = config.services.hydramesh;
  toml = pkgs.formats.toml { };
  configFile = toml.generate "hydramesh-config.toml" cfg.settings;
  configPath = "/etc/hydramesh/config.toml";
  exe = if cfg.package != null then lib.getExe' cfg.package "hydramesh" else "/run/current-system/sw/bin/hydramesh";
in
{
  options.services.hydramesh = {
    enable = mkEnableOption "the HydraMesh peer-to-peer audio/data mesh node";

    package = mkOption {
      type = types.nullOr types.package;
      default = pkgs.hydramesh or null;
      defaultText = literalExpression "pkgs.hydramesh or null";
      description = ''
        HydraMesh package; must provide bin/hydramesh, run as
        `hydramesh --config /etc/hydramesh/config.toml`.  Null unless an
        overlay provides `pkgs.hydramesh`.
      '';
    };

    mutableConfig = mkOption {
      type = types.bool;
      default = true;
      description = ''
        Seed /etc/hydramesh/config.toml from `settings` once and let the box
        (the console) edit it afterwards.  False makes the file declarative.
      '';
    };

    openFirewall = mkOption {
      type = types.bool;
      default = true;
      description = "Open the gRPC (TCP) and UDP ports of the node while the service is enabled.";
    };

    controlGroups = mkOption {
      type = types.listOf types.str;
      default = [
        "audio"
        "hydramesh"
      ];
      description = "Groups whose members may start, stop and restart hydramesh.service without sudo (polkit).";
    };

    extraArgs = mkOption {
      type = types.listOf types.str;
      default = [ ];
      description = "Extra command-line arguments of the node.";
    };

    settings = mkOption {
      default = { };
      description = ''
        Contents of config.toml.  The keys below are typed, with the
        upstream defaults; any other key (a `streamdb` table, newer options)
        passes through as TOML.
      '';
      type = types.submodule {
        freeformType = toml.type;
        options = {
          transport = mkOption {
            type = types.enum [
              "gRPC"
              "UDP"
              "WebSocket"
              "native-lisp"
            ];
            default = "gRPC";
            description = "Transport between nodes.";
          };
          host = mkOption {
            type = types.str;
            default = "0.0.0.0";
            description = "Address the node listens on.";
          };
          grpc_port = mkOption {
            type = types.port;
            default = 50051;
            description = "TCP port of the gRPC transport.";
          };
          udp_port = mkOption {
            type = types.port;
            default = 7777;
            description = "UDP port of the low-latency transport.";
          };
          mode = mkOption {
            type = types.enum [
              "client"
              "server"
              "p2p"
              "auto"
              "master"
            ];
            default = "p2p";
            description = "Role of the node in the mesh.";
          };
          node_id = mkOption {
            type = types.str;
            default = config.networking.hostName;
            defaultText = literalExpression "config.networking.hostName";
            description = "Name of this node in the mesh.";
          };
          peers = mkOption {
            type = types.listOf types.str;
            default = [ ];
            example = [ "192.0.2.10:7777" ];
            description = "Known peers as host:port.";
          };
          group_rtt_threshold = mkOption {
            type = types.ints.between 0 1000;
            default = 50;
            description = "Round-trip time (ms) under which peers are grouped together.";
          };
          storage = mkOption {
            type = types.enum [
              "streamdb"
              "in-memory"
            ];
            default = "streamdb";
            description = "Where the node keeps its state.";
          };
          streamdb_path = mkOption {
            type = types.str;
            default = "/var/lib/hydramesh/streamdb";
            description = "StreamDB file of the node (inside its state directory).";
          };
          optimization_level = mkOption {
            type = types.ints.between 0 3;
            default = 2;
            description = "Optimisation level of the node.";
          };
          retry_max = mkOption {
            type = types.ints.between 1 10;
            default = 3;
            description = "Retries of a failed send.";
          };
          udp_mtu = mkOption {
            type = types.ints.between 576 9000;
            default = 1400;
            description = "Largest UDP payload, in bytes.";
          };
          udp_reliable_timeout = mkOption {
            type = types.ints.positive;
            default = 500;
            description = "Timeout (ms) of the reliable-UDP retransmission.";
          };
          audio_priority = mkOption {
            type = types.bool;
            default = true;
            description = "Give audio frames priority (the unit then may use real-time scheduling).";
          };
        };
      };
    };
  };

  config = mkIf cfg.enable {
    warnings = lib.optional (cfg.package == null) (
      "services.hydramesh is enabled but no HydraMesh package is known: add an overlay that provides "
      + "pkgs.hydramesh or set services.hydramesh.package. Until then hydramesh.service does not start "
      + "(its condition is a hydramesh binary in /run/current-system/sw/bin)."
    );

    users.groups.hydramesh = { };

    environment.systemPackages = [ pkgs.hydramesh-scripts ] ++ lib.optional (cfg.package != null) cfg.package;

    # /etc/hydramesh: 0750 (0770 when the box may edit it), config.toml 0640.
    environment.etc."hydramesh/config.toml" = mkIf (!cfg.mutableConfig) {
      source = configFile;
      mode = "0640";
      user = "root";
      group = "hydramesh";
    };
    systemd.tmpfiles.rules = [
      "d /etc/hydramesh ${if cfg.mutableConfig then "0770" else "0750"} root hydramesh - -"
    ]
    ++ optionals cfg.mutableConfig [
      "C ${configPath} - - - - ${configFile}"
      "z ${configPath} 0640 root hydramesh - -"
    ];

    networking.firewall = mkIf cfg.openFirewall {
      allowedTCPPorts = [ cfg.settings.grpc_port ];
      allowedUDPPorts = [ cfg.settings.udp_port ];
    };

    security.polkit.enable = true;
    security.polkit.extraConfig = ''
      // ArchibaldOS: HydraMesh may be switched on and off without sudo
      polkit.addRule(function (action, subject) {
        if (action.id == "org.freedesktop.systemd1.manage-units" &&
            action.lookup("unit") == "hydramesh.service" &&
            ["start", "stop", "restart", "try-restart"].indexOf(action.lookup("verb")) >= 0 &&
            ${builtins.toJSON cfg.controlGroups}.some(function (g) { return subject.isInGroup(g); })) {
          return polkit.Result.YES;
        }
      });
    '';

    systemd.services.hydramesh = {
      description = "HydraMesh peer-to-peer audio/data mesh node";
      wantedBy = [ "multi-user.target" ];
      wants = [ "network-online.target" ];
      after = [ "network-online.target" ];
      restartTriggers = optionals (!cfg.mutableConfig) [ configFile ];
      unitConfig = {
        ConditionPathExists = configPath;
        ConditionFileIsExecutable = exe;
      };

      serviceConfig = {
        ExecStart = lib.escapeShellArgs (
          [
            exe
            "--config"
            configPath
          ]
          ++ cfg.extraArgs
        );
        Restart = "on-failure";
        RestartSec = 5;

        # the seed's security profile ...
        DynamicUser = true;
        SupplementaryGroups = [ "hydramesh" ];
        StateDirectory = "hydramesh";
        StateDirectoryMode = "0755";
        WorkingDirectory = "/var/lib/hydramesh";
        PrivateDevices = true;
        ProtectSystem = "strict";
        ProtectHome = true;
        PrivateTmp = true;
        NoNewPrivileges = true;
        CapabilityBoundingSet = "";
        RestrictNamespaces = true;
        SystemCallFilter = [
          "@system-service"
          "~@privileged"
        ];
        # ... and the rest of systemd's usual hardening
        AmbientCapabilities = "";
        ProtectKernelTunables = true;
        ProtectKernelModules = true;
        ProtectKernelLogs = true;
        ProtectControlGroups = true;
        ProtectClock = true;
        ProtectHostname = true;
        ProtectProc = "invisible";
        RestrictSUIDSGID = true;
        LockPersonality = true;
        SystemCallArchitectures = "native";
        RestrictAddressFamilies = [
          "AF_INET"
          "AF_INET6"
          "AF_UNIX"
        ];
        # audio_priority: the node raises its audio thread to SCHED_FIFO (within
        # the RLIMIT_RTPRIO below); otherwise real-time is refused outright
        RestrictRealtime = !cfg.settings.audio_priority;
        LimitRTPRIO = if cfg.settings.audio_priority then 70 else 0;
        UMask = "0027";
      };
    };
  };
}
