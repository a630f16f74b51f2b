import { describe, expect, it } from 'vitest';
import { busyPercent, isRealtimeKernel, parseLoadavg, parseMeminfo, parseNetDev, parseProcStat, parseUptime, preemptModel } from './proc-parsers';

// Captured from a Debian 12 machine.
const NET_DEV = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:  123456     100    0    0    0     0          0         0   123456     100    0    0    0     0       0          0
  eth0: 98765432  65432    0    0    0     0          0         0  1234567    9876    0    0    0     0       0          0
wlan0:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0
`;

describe('proc parsers', () => {
  it('parses /proc/net/dev without loopback', () => {
    expect(parseNetDev(NET_DEV)).toEqual([
      { iface: 'eth0', rxBytes: 98765432, txBytes: 1234567 },
      { iface: 'wlan0', rxBytes: 0, txBytes: 0 },
    ]);
  });

  it('parses /proc/stat per core and computes busy shares between readings', () => {
    const before = parseProcStat('cpu  100 0 100 800 0 0 0 0 0 0\ncpu0 50 0 50 400 0 0 0 0 0 0\ncpu1 50 0 50 400 0 0 0 0 0 0\nintr 12345\n');
    const after = parseProcStat('cpu  250 0 150 900 100 0 0 0 0 0\ncpu0 150 0 100 450 0 0 0 0 0 0\ncpu1 100 0 50 450 100 0 0 0 0 0\nintr 12399\n');
    expect(before.cores).toHaveLength(2);
    expect(busyPercent(before.all, after.all)).toBe(50); // 200 busy of 400
    expect(busyPercent(before.cores[0], after.cores[0])).toBe(75); // 150 of 200
    expect(busyPercent(before.cores[1], after.cores[1])).toBe(25); // iowait counts as idle
    expect(busyPercent(after.all, after.all)).toBe(0);
  });

  it('parses /proc/meminfo into bytes', () => {
    const text = 'MemTotal:       24576000 kB\nMemFree:         1000000 kB\nMemAvailable:   20000000 kB\nSwapTotal:       2097148 kB\nSwapFree:        2000000 kB\n';
    expect(parseMeminfo(text)).toEqual({ total: 24576000 * 1024, available: 20000000 * 1024, swapTotal: 2097148 * 1024, swapFree: 2000000 * 1024 });
    expect(parseMeminfo('')).toEqual({ total: 0, available: 0, swapTotal: 0, swapFree: 0 });
  });

  it('parses load average and uptime', () => {
    expect(parseLoadavg('0.52 0.58 0.59 2/345 12345\n')).toEqual([0.52, 0.58, 0.59]);
    expect(parseUptime('350735.47 234388.90\n')).toBe(350735);
    expect(parseLoadavg('')).toEqual([0, 0, 0]);
  });

  it('recognises a PREEMPT_RT kernel from either source', () => {
    const rt = 'Linux version 6.6.30-rt30 (nixbld@localhost) #1-NixOS SMP PREEMPT_RT Tue Jan  1 00:00:00 UTC 1980';
    const stock = 'Linux version 6.1.0-18-amd64 (debian-kernel@lists.debian.org) #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1';
    expect(isRealtimeKernel(null, rt)).toBe(true);
    expect(isRealtimeKernel('1\n', stock)).toBe(true);
    expect(isRealtimeKernel(null, stock)).toBe(false);
    expect(isRealtimeKernel('0', null)).toBe(false);
    expect(preemptModel(rt)).toBe('PREEMPT_RT');
    expect(preemptModel(stock)).toBe('PREEMPT_DYNAMIC');
  });
});
