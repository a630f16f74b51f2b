import qrcode from 'qrcode-terminal';
import type { AuthService } from './auth/service';

/**
 * First start: no admin device exists, so print a one-time admin pairing link (and its QR code) on the terminal
 * and in the journal. It works once, for 15 minutes; a restart prints a fresh one while the console is unclaimed.
 */
export function announceFirstPairing(auth: AuthService, origins: readonly string[], print: (text: string) => void): string | null {
  if (!auth.needsFirstPairing()) return null;
  const link = auth.createPairing('admin', 'first start', null);
  // Prefer a LAN address: the person pairing is usually on a tablet, not on the box itself.
  const origin = origins.find((o) => /^http:\/\/(10|192\.168|172\.(1[6-9]|2\d|3[01]))\./.test(o)) ?? origins.find((o) => o.includes('localhost')) ?? origins[0];
  const url = `${origin}/pair#${link.token}`;
  let qr = '';
  qrcode.generate(url, { small: true }, (code: string) => (qr = code));
  print(
    [
      '',
      'ArchibaldOS console is not paired yet. Open this link on the device that will administer it',
      `(valid once, until ${new Date(link.expiresAt).toLocaleTimeString()}):`,
      '',
      `  ${url}`,
      '',
      qr,
    ].join('\n'),
  );
  return url;
}
