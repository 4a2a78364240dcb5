// QR codes as terminal text: pure, from the `qrcode` package's module matrix.
import QRCode from 'qrcode';

/** Quiet zone around the code, in modules. */
const MARGIN = 2;

/** The code's modules with the quiet zone: `dark(r, c)` for r, c in [0, size). */
export function qrModules(url: string): { size: number; dark(r: number, c: number): boolean } {
  const qr = QRCode.create(url, { errorCorrectionLevel: 'L' });
  const n = qr.modules.size;
  return {
    size: n + 2 * MARGIN,
    dark: (r, c) => r >= MARGIN && c >= MARGIN && r < n + MARGIN && c < n + MARGIN && !!qr.modules.get(r - MARGIN, c - MARGIN),
  };
}

/**
 * Text rows of the code. In colour, two module rows per text row in half blocks drawn black on an
 * explicit white background, so it scans on light and dark terminals alike. Without colour (NO_COLOR)
 * the light modules are the blocks, which reads right on the usual dark terminal; ASCII mode draws
 * light modules as '##' pairs.
 */
export function qrLines(url: string, style: { ascii: boolean; mono: boolean }): string[] {
  const m = qrModules(url);
  const lines: string[] = [];
  if (style.ascii) {
    for (let r = 0; r < m.size; r++) {
      let line = '';
      for (let c = 0; c < m.size; c++) line += m.dark(r, c) ? '  ' : '##';
      lines.push(line);
    }
    return lines;
  }
  // [top, bottom] ink: in colour the ink is the dark modules; in mono it is the light ones.
  const ink = (r: number, c: number) => r < m.size && m.dark(r, c) !== style.mono;
  for (let r = 0; r < m.size; r += 2) {
    let line = '';
    for (let c = 0; c < m.size; c++) line += ink(r, c) ? (ink(r + 1, c) ? '█' : '▀') : ink(r + 1, c) ? '▄' : ' ';
    lines.push(line);
  }
  return lines;
}
