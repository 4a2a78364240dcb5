// The QR code sreg draws in the terminal, read back by a real decoder (jsQR): each text cell becomes
// pixels in the colours a terminal would show, on a light and on a dark terminal background.
import jsQR from 'jsqr';
import { describe, expect, it } from 'vitest';
import { qrLines } from '../../src/core/qr.js';

const URL_ = 'https://www.dropbox.com/oauth2/authorize?client_id=abc123&response_type=code&token_access_type=offline&code_challenge=Zm9vYmFyYmF6&code_challenge_method=S256';
const PX = 4; // pixels per module

/**
 * Paints text rows as a terminal would. Half blocks fill the top, bottom or both halves of a cell with
 * the ink colour; the rest is the cell's background. ASCII mode: '##' is two ink cells of one module.
 */
function paint(lines: string[], ink: number, background: number, ascii = false, outside = background): { data: Uint8ClampedArray; width: number; height: number } {
  const modulesPerRow = ascii ? 1 : 2;
  const cols = Math.max(...lines.map((l) => [...l].length)) / (ascii ? 2 : 1);
  const width = (cols + 8) * PX;
  const height = (lines.length * modulesPerRow + 8) * PX;
  const data = new Uint8ClampedArray(width * height * 4).fill(255);
  const set = (mr: number, mc: number, v: number) => {
    for (let y = 0; y < PX; y++)
      for (let x = 0; x < PX; x++) {
        const i = (((mr + 4) * PX + y) * width + (mc + 4) * PX + x) * 4;
        data[i] = data[i + 1] = data[i + 2] = v;
      }
  };
  // The terminal's own background around the drawing.
  for (let i = 0; i < data.length; i += 4) data[i] = data[i + 1] = data[i + 2] = outside;
  lines.forEach((line, r) => {
    const cells = [...line];
    for (let c = 0; c < cols; c++) {
      if (ascii) set(r, c, cells[2 * c] === '#' ? ink : background);
      else {
        const ch = cells[c] ?? ' ';
        set(2 * r, c, ch === '█' || ch === '▀' ? ink : background);
        set(2 * r + 1, c, ch === '█' || ch === '▄' ? ink : background);
      }
    }
  });
  return { data, width, height };
}

const read = (img: { data: Uint8ClampedArray; width: number; height: number }) => jsQR(img.data, img.width, img.height, { inversionAttempts: 'dontInvert' })?.data;

describe('QR code in the terminal', () => {
  it('in colour: black ink on its own white background reads on light and dark terminals', () => {
    const lines = qrLines(URL_, { ascii: false, mono: false });
    // Every cell of the drawing carries its white background, so the terminal's colour shows only around it.
    expect(read(paint(lines, 0, 255, false, 245))).toBe(URL_);
    expect(read(paint(lines, 0, 255, false, 15))).toBe(URL_);
    expect(lines.every((l) => /^[ ▀▄█]+$/.test(l))).toBe(true);
  });

  it('without colour: light modules are the blocks, which reads on a dark terminal (light text)', () => {
    const lines = qrLines(URL_, { ascii: false, mono: true });
    expect(read(paint(lines, 230, 20))).toBe(URL_);
    // On a light terminal the same text is a negative; a scanner that does not invert cannot read it.
    expect(read(paint(lines, 20, 230))).toBeUndefined();
  });

  it('ASCII: ## pairs for light modules, read on a dark terminal', () => {
    const lines = qrLines(URL_, { ascii: true, mono: true });
    expect(lines.every((l) => /^(##|  )+$/.test(l))).toBe(true);
    expect(read(paint(lines, 230, 20, true))).toBe(URL_);
  });
});
