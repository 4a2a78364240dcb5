// A QR code of a URL, drawn with the `qrcode` package's UTF-8 renderer (two module rows per text row),
// or with '##' pairs in ASCII mode. When it does not fit the room it is given, it says how much room
// it needs instead of drawing something a phone cannot read.
import { Box, Text } from 'ink';
import QRCode from 'qrcode';
import { useEffect, useState } from 'react';
import { useTheme } from '../app/theme.js';

const MARGIN = 2;

/** Light modules drawn as blocks: on the usual dark terminal that gives dark-on-light, as scanners expect. */
async function render(url: string, ascii: boolean): Promise<string[]> {
  if (!ascii) {
    const text = await QRCode.toString(url, { type: 'utf8', errorCorrectionLevel: 'L', margin: MARGIN, color: { dark: '#ffffff', light: '#000000' } });
    return text.split('\n').filter((l) => l.length > 0);
  }
  const qr = QRCode.create(url, { errorCorrectionLevel: 'L' });
  const size = qr.modules.size;
  const lines: string[] = [];
  for (let r = -MARGIN; r < size + MARGIN; r++) {
    let line = '';
    for (let c = -MARGIN; c < size + MARGIN; c++) {
      const dark = r >= 0 && c >= 0 && r < size && c < size && qr.modules.get(r, c);
      line += dark ? '  ' : '##';
    }
    lines.push(line);
  }
  return lines;
}

export function QrCode({ url, width, height }: { url: string; width: number; height: number }) {
  const theme = useTheme();
  const [lines, setLines] = useState<string[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    let live = true;
    render(url, theme.ascii).then(
      (l) => live && setLines(l),
      (e) => live && setError((e as Error).message),
    );
    return () => {
      live = false;
    };
  }, [url, theme.ascii]);
  if (error) return <Text wrap="truncate">no QR code: {error}</Text>;
  if (!lines) return <Text wrap="truncate">drawing the QR code...</Text>;
  const w = Math.max(...lines.map((l) => l.length));
  if (w > width || lines.length > height) {
    return (
      <Text wrap="truncate" {...theme.style('muted')}>
        The QR code needs {w}x{lines.length}; make the terminal larger, or open the URL above.
      </Text>
    );
  }
  return (
    <Box flexDirection="column">
      {lines.map((l, i) => (
        <Text key={i}>{l}</Text>
      ))}
    </Box>
  );
}

/** Rows the QR code of a URL needs (for layout), without drawing it. */
export function qrSize(url: string, ascii: boolean): { width: number; height: number } {
  const size = QRCode.create(url, { errorCorrectionLevel: 'L' }).modules.size + 2 * MARGIN;
  return ascii ? { width: size * 2, height: size } : { width: size, height: Math.ceil(size / 2) };
}
