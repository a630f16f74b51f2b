import { describe, expect, it } from 'vitest';
import { formatBytes, formatRate, formatUptime, loadColor } from './format';

describe('formatting', () => {
  it('formats sizes, rates and durations the way the overview shows them', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(8 * 1024 ** 3)).toBe('8.0 GiB');
    expect(formatBytes(300 * 1024 ** 2)).toBe('300 MiB');
    expect(formatRate(125_000)).toBe('1.0 Mb/s');
    expect(formatRate(100)).toBe('800 b/s');
    expect(formatUptime(59)).toBe('0m');
    expect(formatUptime(3 * 3600 + 120)).toBe('3h 2m');
    expect(formatUptime(2 * 86400 + 5 * 3600)).toBe('2d 5h');
    expect([loadColor(10), loadColor(70), loadColor(95)]).toEqual(['bg-live', 'bg-warn', 'bg-danger']);
  });
});
