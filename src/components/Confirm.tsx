// A question (or a notice to read, such as a share link) shown under the screen. Its keys come from
// the keymap's `dialog` scope; long lines wrap so URLs and paths can be read whole, and a wrapped URL
// is a hyperlink (OSC 8) so it opens or copies whole.
import { Box, Text } from 'ink';
import { dialogBindings, keyLabel } from '../app/keymap.js';
import type { Dialog } from '../app/store.js';
import { useTheme } from '../app/theme.js';
import { wrapLinked, wrapLines } from './text.js';
import { TextField } from './TextField.js';

/** Lines the dialog needs at this width, borders included. */
export function dialogHeight(dialog: Dialog, width: number): number {
  return wrapLines(dialog.lines, Math.max(1, width - 4)).length + 4 + (dialog.kind === 'prompt' ? 1 : 0);
}

export function Confirm({ dialog, width, height, value = '' }: { dialog: Dialog; width: number; height: number; value?: string }) {
  const theme = useTheme();
  const inner = Math.max(1, width - 4);
  const body = wrapLinked(dialog.lines, inner, theme.links).slice(0, Math.max(0, height - 4 - (dialog.kind === 'prompt' ? 1 : 0)));
  const danger = dialog.dangerous ? theme.style('error') : theme.style('title');
  const answers = dialogBindings(dialog.dangerous);
  const label = (command: string) => (answers.find((b) => b.command === command)?.keys ?? []).map((k) => keyLabel(k, theme.ascii)).join('/');
  const keys =
    dialog.kind === 'confirm'
      ? `${label('confirm')} yes   ${label('cancel')} no`
      : dialog.kind === 'prompt'
        ? `${keyLabel('enter', theme.ascii)} makes it   ${keyLabel('escape', theme.ascii)} cancels`
        : `${label('confirm')} or ${label('cancel')} closes`;
  return (
    <Box
      flexDirection="column"
      borderStyle={theme.border}
      borderColor={theme.mono ? undefined : dialog.dangerous ? 'red' : 'cyan'}
      width={width}
      height={height}
      paddingX={1}
      overflow="hidden"
    >
      <Text wrap="truncate" {...danger}>
        {dialog.dangerous && theme.mono ? `DANGER: ${dialog.title}` : dialog.title}
      </Text>
      {body.map((l, i) => (
        <Text key={i} wrap="truncate">
          {l}
        </Text>
      ))}
      {dialog.kind === 'prompt' ? <TextField label="Name:" value={value} width={inner} focused /> : null}
      <Text wrap="truncate" {...theme.style('key')}>
        {keys}
      </Text>
    </Box>
  );
}
