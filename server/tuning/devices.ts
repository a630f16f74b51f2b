import { open } from 'node:fs/promises';
import type { HostFacts } from './host-facts';

/** Finding the audio hardware the checks and tweaks care about: sound and USB IRQs, USB audio devices, PCI audio cards. */

const SOUND_ACTION = /^(snd_|audiodsp)/;
const USB_HOST_ACTION = /^[eoux]hci[_-]hcd/;

export interface AudioIrq {
  irq: number;
  kind: 'sound' | 'usb';
  actions: string[];
}

/** IRQ lines that carry a sound driver or a USB host controller (rtcqs's patterns: snd_*, audiodsp, [eux]hci_hcd). */
export async function audioIrqs(facts: HostFacts): Promise<{ source: string; irqs: AudioIrq[] } | null> {
  const table = await facts.irqActions();
  if (!table) return null;
  const irqs: AudioIrq[] = [];
  for (const [irq, actions] of [...table.irqs].sort((a, b) => a[0] - b[0])) {
    if (actions.some((a) => SOUND_ACTION.test(a))) irqs.push({ irq, kind: 'sound', actions });
    else if (actions.some((a) => USB_HOST_ACTION.test(a))) irqs.push({ irq, kind: 'usb', actions });
  }
  return { source: table.source, irqs };
}

export interface UsbAudioDevice {
  /** sysfs name, like 1-2 or 3-1.4 */
  id: string;
  product: string;
  controlPath: string;
}

/** USB devices with an audio-class interface (bInterfaceClass 01). */
export async function usbAudioDevices(facts: HostFacts): Promise<UsbAudioDevice[]> {
  const base = '/sys/bus/usb/devices';
  const names = await facts.list(base);
  const devices = names.filter((n) => /^\d+-\d+(\.\d+)*$/.test(n));
  const interfaces = names.filter((n) => n.includes(':'));
  const out: UsbAudioDevice[] = [];
  for (const dev of devices) {
    const ifaces = interfaces.filter((i) => i.startsWith(`${dev}:`));
    const classes = await Promise.all(ifaces.map((i) => facts.value(`${base}/${i}/bInterfaceClass`)));
    if (!classes.some((c) => c === '01')) continue;
    const product = (await facts.value(`${base}/${dev}/product`)) ?? `USB device ${dev}`;
    out.push({ id: dev, product, controlPath: `${base}/${dev}/power/control` });
  }
  return out;
}

export interface PciAudioDevice {
  /** domain:bus:device.function, as in /sys/bus/pci/devices */
  slot: string;
  className: string;
  configPath: string;
}

/** PCI devices of class 0x0401 (multimedia audio) or 0x0403 (HD audio). */
export async function pciAudioDevices(facts: HostFacts): Promise<PciAudioDevice[]> {
  const base = '/sys/bus/pci/devices';
  const slots = (await facts.list(base)).filter((s) => /^[0-9a-f]{4}:[0-9a-f]{2}:[0-1][0-9a-f]\.[0-7]$/.test(s));
  const classes = await Promise.all(slots.map((s) => facts.value(`${base}/${s}/class`)));
  return slots
    .map((slot, i) => ({ slot, className: classes[i] ?? '', configPath: `${base}/${slot}/config` }))
    .filter((d) => /^0x040[13]/.test(d.className));
}

/** The PCI latency timer is byte 0x0d of the config space. Returns it as two hex digits, or null. */
export async function readPciLatency(facts: HostFacts, configPath: string): Promise<string | null> {
  try {
    const handle = await open(await facts.host.resolveReal(configPath), 'r');
    try {
      const buf = Buffer.alloc(1);
      const { bytesRead } = await handle.read(buf, 0, 1, 0x0d);
      return bytesRead === 1 ? buf[0].toString(16).padStart(2, '0') : null;
    } finally {
      await handle.close();
    }
  } catch {
    return null;
  }
}
