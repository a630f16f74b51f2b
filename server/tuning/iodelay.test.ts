import { describe, expect, it } from 'vitest';
import { createRunner } from '../exec';
import { havePipeWire, startTestDaemon } from '../audio/test-daemon';
import { measureRoundTrip, parseIodelay } from './iodelay';

describe('jack_iodelay round trip', () => {
  it('parses the last measurement and the extra loopback latency', () => {
    const lines = ['Signal below threshold...', '  1024.000 frames     21.333 ms total roundtrip latency', '\textra loopback latency: 1024 frames', '   256.000 frames      5.333 ms total roundtrip latency', '\textra loopback latency: 0 frames'];
    expect(parseIodelay(lines)).toEqual({ frames: 256, ms: 5.333, extraFrames: 0 });
    expect(parseIodelay(['Signal below threshold...'])).toBeNull();
  });

  it('says what is missing instead of failing', async () => {
    const none = createRunner({ allow: [], path: '/nonexistent' });
    expect((await measureRoundTrip(none, {})).status).toBe('unavailable');
  });

  // A real PipeWire daemon with a null sink: its monitor is a loopback path one quantum long.
  it.runIf(havePipeWire())('measures through a sink and its monitor on a real PipeWire', async () => {
    const daemon = await startTestDaemon();
    try {
      expect((await measureRoundTrip(daemon.runner, {})).status).toBe('needs-loopback');
      const r = await measureRoundTrip(daemon.runner, { playback: 'test-sink:playback_FL', capture: 'test-sink:monitor_FL', seconds: 3 });
      expect(r.status, r.message).toBe('measured');
      expect(r.frames).toBeGreaterThan(0);
      expect(r.ms).toBeGreaterThan(0);
    } finally {
      await daemon.stop();
    }
  }, 30_000);
});
