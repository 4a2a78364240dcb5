// A one-line text field. The keys that edit it come from the keymap (App routes them); this only
// draws the label, the text (its end, when it is longer than the field) and a block cursor.
import { Text } from 'ink';
import { useTheme } from '../app/theme.js';

export interface TextFieldProps {
  label: string;
  value: string;
  width: number;
  focused: boolean;
  placeholder?: string;
  /** Secrets (pasted tokens) show as dots. */
  mask?: boolean;
}

export function TextField({ label, value, width, focused, placeholder, mask }: TextFieldProps) {
  const theme = useTheme();
  const shown = mask ? (theme.ascii ? '*' : '•').repeat(value.length) : value;
  const room = Math.max(1, width - label.length - 2);
  const tail = shown.length >= room ? shown.slice(shown.length - room + 1) : shown;
  return (
    <Text wrap="truncate">
      <Text {...theme.style(focused ? 'key' : 'muted')}>{label}</Text>{' '}
      {value === '' && !focused && placeholder ? <Text {...theme.style('muted')}>{placeholder}</Text> : <Text>{tail}</Text>}
      {focused ? <Text inverse> </Text> : null}
    </Text>
  );
}
