// The top line: the program, the main screens with their number keys, and a live transfer summary.
import { Text } from 'ink';
import type { ScreenName } from '../app/keymap.js';
import { useTheme } from '../app/theme.js';
import { truncate } from '../core/format.js';

const TABS: Array<{ key: string; label: string; screens: ScreenName[] }> = [
  { key: '1', label: 'Library', screens: ['library', 'inspect'] },
  { key: '2', label: 'Remotes', screens: ['home', 'auth', 'browser', 'endpoints'] },
  { key: '3', label: 'Transfers', screens: ['transfers'] },
  { key: '4', label: 'Log', screens: ['log'] },
];

export function TabBar({ width, screen, right }: { width: number; screen: ScreenName; right?: string }) {
  const theme = useTheme();
  const head = ' sreg ';
  const tabs = TABS.map((t) => ({ ...t, text: ` ${t.key} ${t.label} ` }));
  const used = head.length + tabs.reduce((n, t) => n + t.text.length, 0);
  const r = right ? truncate(right, Math.max(0, width - used - 2), theme.ascii) : '';
  const gap = Math.max(0, width - used - r.length - 1);
  return (
    <Text wrap="truncate">
      <Text {...theme.style('title')}>{head}</Text>
      {tabs.map((t) => (
        <Text key={t.key} {...(t.screens.includes(screen) ? theme.selected : {})}>
          {t.text}
        </Text>
      ))}
      {' '.repeat(gap)}
      <Text {...theme.style('accent')}>{r}</Text>
    </Text>
  );
}
