// Auth: the guided login. Steps, the URL on lines of its own (no borders, so it copies cleanly), its QR
// code when there is room (Tab shows it alone), a field for the pasted code or token, then success
// or a clear error. For Globus ConsentRequired it first says what is missing.
import { Box, Text } from 'ink';
import { useEffect, useMemo } from 'react';
import { useCommands, useStore } from '../app/context.js';
import { input } from '../app/store.js';
import { useTheme } from '../app/theme.js';
import { QrCode, qrSize } from '../components/QrCode.js';
import { wordWrap, wrapLinked } from '../components/text.js';
import { TextField } from '../components/TextField.js';
import { useAuthFlow } from '../hooks/useAuthFlow.js';

export interface AuthProps {
  backend: string;
  scopes?: string[];
  reason?: string;
  /** Where success leads: the Browser of this backend, or back to the screen that needed the login. */
  returnTo?: 'browser' | 'back';
  width: number;
  height: number;
}

export function AuthScreen({ backend, scopes, reason, returnTo = 'browser', width, height }: AuthProps) {
  const theme = useTheme();
  const { state, dispatch } = useStore();
  const flow = useAuthFlow(backend, { token: state.tokenMode, scopes });
  const pasted = input(state, 'auth');
  const expects = flow.start?.expects ?? (state.tokenMode ? 'token' : 'code');

  useEffect(() => {
    if (flow.sandboxCode && !pasted) dispatch({ type: 'text-set', field: 'auth', value: flow.sandboxCode });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [flow.sandboxCode]);
  useEffect(() => {
    if (flow.phase !== 'done') return;
    dispatch({ type: 'message', text: `logged in to ${flow.title}${flow.who ? ' as ' + flow.who : ''}` });
    dispatch({ type: 'refresh', what: 'home' });
    dispatch({ type: 'refresh', what: 'listing' });
    if (returnTo === 'back') dispatch({ type: 'back' });
    else dispatch({ type: 'replace', route: { screen: 'browser', backend } });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [flow.phase]);
  useCommands({
    submit: () => {
      if (flow.phase !== 'waiting') return;
      if (!pasted.trim()) return dispatch({ type: 'message', text: `paste the ${expects} first`, level: 'error' });
      flow.submit(pasted);
    },
    'qr-toggle': () => dispatch({ type: 'toggle', flag: 'qr' }),
    'token-mode': () => {
      if (backend !== 'dropbox') return dispatch({ type: 'message', text: `${flow.title} has no token login`, level: 'error' });
      dispatch({ type: 'toggle', flag: 'tokenMode' });
      dispatch({ type: 'text-set', field: 'auth', value: '' });
    },
  });

  const w = width - 2;
  const url = flow.start?.url;
  // What must stay on screen: the URL. The explanation above it gives way first, from its end.
  const { intro, urlLines } = useMemo(() => {
    const lines: Array<{ text: string; role?: 'warn' | 'muted' }> = [];
    if (reason) for (const l of wordWrap(reason, w)) lines.push({ text: l, role: 'warn' });
    const steps = flow.start?.instructions ?? ['Starting the login...'];
    steps.forEach((s, i) => wordWrap(s, w - 3).forEach((l, j) => lines.push({ text: (j ? '   ' : `${i + 1}. `) + l })));
    if (scopes?.length) for (const l of wordWrap(`This login asks for: ${scopes.join(' ')}`, w)) lines.push({ text: l, role: 'muted' });
    return { intro: lines, urlLines: url ? wrapLinked([url], w, theme.links) : [] };
  }, [flow.start, reason, scopes, url, w, theme.links]);

  const status =
    flow.phase === 'checking'
      ? { text: `checking the ${expects}...`, role: 'accent' as const }
      : flow.error
        ? { text: `error: ${flow.error}`, role: 'error' as const }
        : flow.sandboxCode && pasted === flow.sandboxCode
          ? { text: 'Sandbox: the code is filled in; press Enter.', role: 'muted' as const }
          : { text: `Paste the ${expects}, then press Enter. Esc leaves.`, role: 'muted' as const };
  const room = height - 1 - 2; // title; code field and status line
  // Sizing draws the code's matrix: once per URL, not on every keystroke in the code field.
  const qr = useMemo(() => (url ? qrSize(url, theme.ascii) : undefined), [url, theme.ascii]);
  const qrOnly = state.qr && !!url;
  const urlBlock = urlLines.length ? urlLines.length + 1 : 0;
  const introShown = qrOnly ? [] : intro.slice(0, Math.max(0, room - urlBlock - 1));
  const textShown = qrOnly ? [] : [...introShown, ...(urlBlock ? [{ text: '' }, ...urlLines.map((text) => ({ text, role: 'accent' as const }))] : [])];
  const qrRoom = qrOnly ? room : room - textShown.length - 1;
  const showQr = !!qr && (qrOnly || (qr.height <= qrRoom && qr.width <= w));

  return (
    <Box flexDirection="column" width={width} height={height} paddingX={1} overflow="hidden">
      <Text wrap="truncate" {...theme.style('title')}>
        Log in to {flow.title}
        {expects === 'token' ? ' with an access token' : ''}
        {backend === 'dropbox' ? (state.tokenMode ? '  (Ctrl-T: use a code instead)' : '  (Ctrl-T: paste a token instead)') : ''}
      </Text>
      {textShown.map((l, i) => (
        <Text key={i} wrap="truncate" {...(l.role ? theme.style(l.role) : {})}>
          {l.text || ' '}
        </Text>
      ))}
      <Box flexDirection="column" height={Math.max(0, qrRoom)} overflow="hidden">
        {showQr && url ? (
          <>
            {qrOnly ? null : <Text> </Text>}
            <QrCode url={url} width={w} height={qrOnly ? qrRoom : qrRoom - 1} />
          </>
        ) : url ? (
          <Text wrap="truncate" {...theme.style('muted')}>
            {qr ? `Tab shows the QR code (needs ${qr.width}x${qr.height}).` : ''}
          </Text>
        ) : null}
      </Box>
      <TextField label={expects === 'token' ? 'Token:' : 'Code:'} value={pasted} width={w} focused={flow.phase === 'waiting'} mask={expects === 'token'} />
      <Text wrap="truncate" {...theme.style(status.role)}>
        {status.text}
      </Text>
    </Box>
  );
}
