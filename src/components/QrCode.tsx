// A QR code of a URL (modules from the `qrcode` package), drawn in half blocks (two module rows per
// text row), or with '##' pairs in ASCII mode. When it does not fit the room it is given, it says how much room
// it needs instead of drawing something a phone cannot read.
import { Box, Text } from 'ink';
import { useMemo } from 'react';
import { useTheme } from '../app/theme.js';
import { qrLines, qrModules } from '../core/qr.js';

export function QrCode({ url, width, height }: { url: string; width: number; height: number }) {
  const theme = useTheme();
  const drawn = useMemo(() => {
    try {
      return { lines: qrLines(url, theme) };
    } catch (e) {
      return { error: (e as Error).message };
    }
  }, [url, theme]);
  if (drawn.error !== undefined) return <Text wrap="truncate">no QR code: {drawn.error}</Text>;
  const lines = drawn.lines;
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
      {lines.map((l, i) =>
        theme.mono || theme.ascii ? (
          <Text key={i}>{l}</Text>
        ) : (
          <Text key={i} color="black" backgroundColor="white">
            {l}
          </Text>
        ),
      )}
    </Box>
  );
}

/** Rows the QR code of a URL needs (for layout), without drawing it. */
export function qrSize(url: string, ascii: boolean): { width: number; height: number } {
  const size = qrModules(url).size;
  return ascii ? { width: size * 2, height: size } : { width: size, height: Math.ceil(size / 2) };
}
