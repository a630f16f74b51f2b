# ArchibaldOS real-time audio: musnix (RT kernel, rtirq, das_watchdog), CPU
# isolation for the audio cores, PipeWire at a fixed rate and small quantum,
# low-latency ALSA defaults, and a fallback specialisation with an LTS kernel.
#
# Requires the musnix NixOS module (the flake's nixosModules.rt-audio imports it).
# musnix itself already adds `threadirqs` to the kernel command line, sets the
# @audio limits (rtprio 99, memlock unlimited) and gives the audio group
# /dev/cpu_dma_latency, /dev/rtc0 and /dev/hpet; this module does not repeat those.
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
    mkOverride
    types
    literalExpression
    ;
  cfg = config.archibald.rtAudio;

  # The console's CLI (`archibald tune ...`), when the console module is both
  # imported and enabled; rt-audio works without it.  Its finalPackage is the
  # one built with this box's PipeWire and the helper the sudo rule names.
  consoleEnabled = lib.attrByPath [ "services" "archibald-console" "enable" ] false config;
  consolePackage = if consoleEnabled then config.services.archibald-console.finalPackage else null;

  # nix/scripts/audio-setup.sh: a thin wrapper over `archibald tune ...`.
  # Without the console it says the CLI is missing and exits 1.
  audioSetup = pkgs.writeShellApplication {
    name = "audio-setup";
    runtimeInputs = [
      pkgs.coreutils # date, id, mkdir, tee
      pkgs.alsa-utils # amidi
    ]
    ++ lib.optional (consolePackage != null) consolePackage;
    text = builtins.readFile ../scripts/audio-setup.sh;
  };

  cpuList = cores: lib.concatMapStringsSep "," toString cores;
  allCores = lib.range 0 (cfg.cpu.count - 1);
  isPow2 = n: n > 0 && (n == 1 || (lib.mod n 2 == 0 && isPow2 (n / 2)));
in
{
  options.archibald.rtAudio = {
    enable = mkEnableOption "the ArchibaldOS real-time audio tuning (musnix, CPU isolation, low-latency PipeWire)";

    kernel = {
      realtime = mkOption {
        type = types.bool;
        default = true;
        description = ''
          Boot a PREEMPT_RT kernel (musnix.kernel.realtime).  For kernels 6.12
          and later musnix turns on the mainline PREEMPT_RT option; older
          kernels need one of musnix's RT-patched packages.
        '';
      };
      packages = mkOption {
        type = types.raw;
        default = pkgs.linuxPackages_6_12;
        defaultText = literalExpression "pkgs.linuxPackages_6_12";
        example = literalExpression "pkgs.linuxPackages_latest";
        description = ''
          Kernel package set musnix builds the RT kernel from (musnix.kernel.packages).
          6.12 is an LTS series with PREEMPT_RT in mainline.
        '';
      };
      ltsSpecialisation = {
        enable = mkOption {
          type = types.bool;
          default = true;
          description = ''
            Add a boot entry (specialisation `lts-kernel`) that boots a stock LTS
            kernel instead of the RT one, with `preempt=full`, for hardware or
            drivers that misbehave under PREEMPT_RT.
          '';
        };
        packages = mkOption {
          type = types.raw;
          default = pkgs.linuxPackages;
          defaultText = literalExpression "pkgs.linuxPackages";
          description = "Kernel package set of the `lts-kernel` specialisation.";
        };
      };
    };

    rtirq.enable = mkOption {
      type = types.bool;
      default = true;
      description = "Raise the priority of sound and USB IRQ threads with rtirq (musnix.rtirq).";
    };

    dasWatchdog.enable = mkOption {
      type = types.bool;
      default = cfg.kernel.realtime;
      defaultText = literalExpression "config.archibald.rtAudio.kernel.realtime";
      description = "Run das_watchdog, which stops a runaway RT process from locking the machine up.";
    };

    soundcardPciId = mkOption {
      type = types.str;
      default = "";
      example = "00:1b.0";
      description = ''
        PCI slot of the sound card (lspci).  When set, musnix raises its PCI
        latency timer at boot.  Empty leaves PCI latency alone.
      '';
    };

    cpu = {
      count = mkOption {
        type = types.ints.positive;
        default = 4;
        description = "Number of logical CPUs of the machine (used to derive the housekeeping cores).";
      };
      audioCores = mkOption {
        type = types.listOf types.ints.unsigned;
        default = [
          2
          3
        ];
        example = [ 3 ];
        description = ''
          CPUs reserved for audio.  They get `isolcpus`, `nohz_full` and
          `rcu_nocbs` on the kernel command line, and default IRQ affinity is
          moved to the other CPUs.  The console and other housekeeping work are
          pinned to the complement (see `housekeepingCores`).  CPU 0 must stay
          a housekeeping core.  An empty list turns isolation off.
        '';
      };
      housekeepingCores = mkOption {
        type = types.listOf types.ints.unsigned;
        readOnly = true;
        default = lib.filter (c: !(lib.elem c cfg.cpu.audioCores)) allCores;
        defaultText = literalExpression "all CPUs below cpu.count that are not in cpu.audioCores";
        description = "The CPUs left for everything but audio (read-only, derived from `count` and `audioCores`).";
      };
      governor = mkOption {
        type = types.str;
        default = "performance";
        description = "CPU frequency governor.";
      };
      maxCState = mkOption {
        type = types.nullOr types.ints.unsigned;
        default = 1;
        description = ''
          Deepest C-state the CPUs may enter (`intel_idle.max_cstate` and
          `processor.max_cstate`).  Shallow C-states cut wake-up latency at the
          cost of power.  `null` leaves the kernel's choice.
        '';
      };
    };

    swappiness = mkOption {
      type = types.ints.between 0 200;
      default = 0;
      description = "vm.swappiness (musnix's own default is 10).";
    };

    inotifyMaxUserWatches = mkOption {
      type = types.ints.positive;
      default = 524288;
      description = "fs.inotify.max_user_watches (sample libraries and DAWs watch many files).";
    };

    timerMaxUserFreq = mkOption {
      type = types.ints.positive;
      default = 2048;
      description = "Maximum user frequency of the RTC (/sys/class/rtc/rtc0/max_user_freq) and the HPET (dev.hpet.max-user-freq), in Hz.";
    };

    usb = {
      nrpacks = mkOption {
        type = types.nullOr types.ints.positive;
        default = 1;
        description = ''
          `nrpacks` option of snd-usb-audio (packets per URB; 1 is the lowest
          latency).  Kernels since 3.x ignore it with a notice in the log; kept
          for older setups.  `null` leaves it out.
        '';
      };
      midi = mkOption {
        type = types.bool;
        default = true;
        description = "Load the USB MIDI and ALSA sequencer MIDI modules at boot.";
      };
    };

    pipewire = {
      rate = mkOption {
        type = types.ints.positive;
        default = 48000;
        description = "Sample rate of the PipeWire graph (default.clock.rate, the only allowed rate).";
      };
      quantum = mkOption {
        type = types.ints.positive;
        default = 64;
        description = "Default quantum (buffer size in frames) of the graph; 32-64 at 48 kHz is 0.7-1.3 ms.";
      };
      minQuantum = mkOption {
        type = types.ints.positive;
        default = 16;
        description = "Smallest quantum a client may ask for.";
      };
      maxQuantum = mkOption {
        type = types.ints.positive;
        default = 128;
        description = "Largest quantum a client may ask for.";
      };
      systemWide = mkOption {
        type = types.bool;
        default = false;
        description = ''
          Run one system-wide PipeWire instead of the audio user's session
          instance (services.pipewire.systemWide; upstream discourages it for
          desktops).  The console then talks to /run/pipewire.
        '';
      };
    };

    alsa.extraConfig = mkOption {
      type = types.lines;
      default = ''
        # Programs that open ALSA hw devices directly: small periods at the graph rate.
        defaults.pcm.dmix.rate ${toString cfg.pipewire.rate}
        defaults.pcm.dmix.period_size ${toString cfg.pipewire.quantum}
        defaults.pcm.dmix.buffer_size ${toString (cfg.pipewire.quantum * 2)}
        defaults.pcm.dsnoop.rate ${toString cfg.pipewire.rate}
        defaults.pcm.dsnoop.period_size ${toString cfg.pipewire.quantum}
        defaults.pcm.dsnoop.buffer_size ${toString (cfg.pipewire.quantum * 2)}
      '';
      defaultText = literalExpression "dmix/dsnoop defaults at pipewire.rate with period pipewire.quantum";
      description = "Contents of /etc/asound.conf.  ALSA clients still reach PipeWire through its ALSA plugin by default.";
    };
  };

  config = mkIf cfg.enable (mkMerge [
    {
      assertions = [
        {
          assertion = lib.all (c: c < cfg.cpu.count) cfg.cpu.audioCores;
          message = "archibald.rtAudio.cpu.audioCores ${toString cfg.cpu.audioCores} names CPUs beyond cpu.count = ${toString cfg.cpu.count}.";
        }
        {
          assertion = !(lib.elem 0 cfg.cpu.audioCores) && cfg.cpu.housekeepingCores != [ ];
          message = "archibald.rtAudio.cpu.audioCores must leave CPU 0 (and so at least one core) for housekeeping.";
        }
        {
          assertion =
            let p = cfg.pipewire; in
            p.minQuantum <= p.quantum && p.quantum <= p.maxQuantum && lib.all isPow2 [ p.minQuantum p.quantum p.maxQuantum ];
          message = "archibald.rtAudio.pipewire: need minQuantum <= quantum <= maxQuantum, all powers of two.";
        }
      ];

      musnix = {
        enable = true;
        kernel.realtime = cfg.kernel.realtime;
        kernel.packages = cfg.kernel.packages;
        rtirq.enable = cfg.rtirq.enable;
        das_watchdog.enable = cfg.dasWatchdog.enable;
        inherit (cfg) soundcardPciId;
      };

      boot.kernelParams =
        lib.optionals (cfg.cpu.audioCores != [ ]) [
          "isolcpus=${cpuList cfg.cpu.audioCores}"
          "nohz_full=${cpuList cfg.cpu.audioCores}"
          "rcu_nocbs=${cpuList cfg.cpu.audioCores}"
          "irqaffinity=${cpuList cfg.cpu.housekeepingCores}"
        ]
        ++ lib.optionals (cfg.cpu.maxCState != null) [
          "intel_idle.max_cstate=${toString cfg.cpu.maxCState}"
          "processor.max_cstate=${toString cfg.cpu.maxCState}"
        ];

      # musnix sets swappiness 10 and the governor with normal priority; ours win.
      boot.kernel.sysctl = {
        "vm.swappiness" = mkOverride 90 cfg.swappiness;
        "fs.inotify.max_user_watches" = cfg.inotifyMaxUserWatches;
        "dev.hpet.max-user-freq" = cfg.timerMaxUserFreq;
      };
      powerManagement.cpuFreqGovernor = mkOverride 90 cfg.cpu.governor;

      systemd.tmpfiles.rules = [
        "w- /sys/class/rtc/rtc0/max_user_freq - - - - ${toString cfg.timerMaxUserFreq}"
      ];

      boot.kernelModules = lib.optionals cfg.usb.midi [
        "snd-usbmidi-lib"
        "snd-seq-midi"
      ];
      boot.extraModprobeConfig = lib.optionalString (cfg.usb.nrpacks != null) ''
        options snd-usb-audio nrpacks=${toString cfg.usb.nrpacks}
      '';

      environment.etc."asound.conf".text = cfg.alsa.extraConfig;

      security.rtkit.enable = true;
      services.pulseaudio.enable = false;
      services.pipewire = {
        enable = true;
        systemWide = cfg.pipewire.systemWide;
        alsa.enable = true;
        alsa.support32Bit = true;
        pulse.enable = true;
        jack.enable = true;
        wireplumber.enable = true;
        # (keys with dots must be quoted: they are PipeWire property names)
        extraConfig.pipewire."92-archibald-low-latency" = {
          "context.properties" = {
            "default.clock.rate" = cfg.pipewire.rate;
            "default.clock.allowed-rates" = [ cfg.pipewire.rate ];
            "default.clock.quantum" = cfg.pipewire.quantum;
            "default.clock.min-quantum" = cfg.pipewire.minQuantum;
            "default.clock.max-quantum" = cfg.pipewire.maxQuantum;
          };
        };
        extraConfig.pipewire-pulse."92-archibald-low-latency" = {
          "pulse.properties" = {
            "pulse.min.req" = "${toString cfg.pipewire.minQuantum}/${toString cfg.pipewire.rate}";
            "pulse.default.req" = "${toString cfg.pipewire.quantum}/${toString cfg.pipewire.rate}";
            "pulse.min.quantum" = "${toString cfg.pipewire.minQuantum}/${toString cfg.pipewire.rate}";
          };
          "stream.properties" = {
            "node.latency" = "${toString cfg.pipewire.quantum}/${toString cfg.pipewire.rate}";
            "resample.quality" = 1;
          };
        };
      };

      environment.systemPackages = [
        audioSetup
        pkgs.rt-tests # cyclictest
        pkgs.jack-example-tools # jack_iodelay, jack_lsp
        pkgs.alsa-utils # amidi, aplay -l
        pkgs.pciutils
        pkgs.usbutils
      ];
    }

    (mkIf cfg.kernel.ltsSpecialisation.enable {
      specialisation.lts-kernel.configuration = {
        system.nixos.tags = [ "lts-kernel" ];
        musnix.kernel.realtime = lib.mkForce false;
        boot.kernelPackages = lib.mkForce cfg.kernel.ltsSpecialisation.packages;
        # the stock kernel is PREEMPT_DYNAMIC: ask for full preemption
        boot.kernelParams = [ "preempt=full" ];
      };
    })
  ]);
}
