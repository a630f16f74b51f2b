import type { HostRoot } from '../host-root';

export interface TempSensor {
  label: string;
  path: string;
}

/**
 * Find temperature inputs once (hwmon first: it names CPU packages and cores; thermal zones as a fallback),
 * so that each sample reads only known files instead of walking /sys every tick.
 */
export async function discoverTempSensors(host: HostRoot): Promise<TempSensor[]> {
  const found: TempSensor[] = [];
  for (const hw of await host.list('/sys/class/hwmon')) {
    const dir = `/sys/class/hwmon/${hw}`;
    const chip = (await host.readValue(`${dir}/name`)) ?? hw;
    for (const file of await host.list(dir)) {
      const m = file.match(/^temp(\d+)_input$/);
      if (!m) continue;
      const label = (await host.readValue(`${dir}/temp${m[1]}_label`)) ?? `temp${m[1]}`;
      found.push({ label: `${chip} ${label}`, path: `${dir}/${file}` });
    }
  }
  if (found.length > 0) return found;
  for (const zone of await host.list('/sys/class/thermal')) {
    if (!zone.startsWith('thermal_zone')) continue;
    const type = (await host.readValue(`/sys/class/thermal/${zone}/type`)) ?? zone;
    found.push({ label: type, path: `/sys/class/thermal/${zone}/temp` });
  }
  return found;
}

/** Millidegrees to degrees; null for a sensor that reads nothing sensible (some report -273 or absurd values). */
export function toCelsius(raw: string | null): number | null {
  if (raw === null) return null;
  const value = Number(raw) / 1000;
  return Number.isFinite(value) && value > -40 && value < 150 ? Math.round(value * 10) / 10 : null;
}
