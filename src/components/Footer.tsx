// Key hints for where the user is, generated from the keymap (bindings with a `hint`), cut to fit.
import { Text } from 'ink';
import { activeBindings, keyLabel, type KeyContext } from '../app/keymap.js';
import { useTheme } from '../app/theme.js';

export interface Hint {
  key: string;
  label: string;
}

export function footerHints(ctx: KeyContext, ascii: boolean): Hint[] {
  const seen = new Set<string>();
  const hints: Hint[] = [];
  for (const b of activeBindings(ctx)) {
    if (!b.hint || seen.has(b.command)) continue;
    seen.add(b.command);
    // Moving is one hint for both directions.
    const key = b.command === 'up' ? keyLabel('up', ascii) + keyLabel('down', ascii) : keyLabel(b.keys[0]!, ascii);
    hints.push({ key, label: b.hint });
  }
  return hints;
}

export function Footer({ ctx, width }: { ctx: KeyContext; width: number }) {
  const theme = useTheme();
  const shown: Hint[] = [];
  let used = 1;
  for (const h of footerHints(ctx, theme.ascii)) {
    const w = h.key.length + 1 + h.label.length + 2;
    if (used + w > width) break;
    used += w;
    shown.push(h);
  }
  return (
    <Text wrap="truncate">
      {' '}
      {shown.map((h) => (
        <Text key={h.key + h.label}>
          <Text {...theme.style('key')}>{h.key}</Text> {h.label}
          {'  '}
        </Text>
      ))}
    </Text>
  );
}
