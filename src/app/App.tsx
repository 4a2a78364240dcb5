// The frame: providers, the one keyboard listener, the router from routes to screens, and the chrome
// (tab bar, status bar, footer). Height is at most rows - 1 so the terminal never scrolls.
import { Box, Text, useApp, useInput, type Key } from 'ink';
import { useEffect, useMemo, useReducer, useRef } from 'react';
import { counted } from '../core/format.js';
import { Confirm, dialogHeight } from '../components/Confirm.js';
import { Footer } from '../components/Footer.js';
import { StatusBar } from '../components/StatusBar.js';
import { TabBar } from '../components/TabBar.js';
import { useActions } from '../hooks/useActions.js';
import { useLibrary } from '../hooks/useLibrary.js';
import { ServicesProvider, useServices, type TuiServices } from '../hooks/useServices.js';
import { useTerminalSize } from '../hooks/useTerminalSize.js';
import { useTransfers } from '../hooks/useTransfers.js';
import { AuthScreen } from '../screens/Auth.js';
import { BrowserScreen } from '../screens/Browser.js';
import { EndpointSearchScreen } from '../screens/EndpointSearch.js';
import { HelpScreen } from '../screens/Help.js';
import { HomeScreen } from '../screens/Home.js';
import { InspectScreen } from '../screens/Inspect.js';
import { LibraryScreen } from '../screens/Library.js';
import { LogScreen } from '../screens/Log.js';
import { TransfersScreen } from '../screens/Transfers.js';
import { CommandRouter, RouterContext, StoreContext, useCommands, useStore } from './context.js';
import { isPlainText, useKeyQueue } from './keys.js';
import { resolveKey, type KeyContext } from './keymap.js';
import { currentRoute, initialState, input, reducer, type Route } from './store.js';
import { ThemeContext, themeFromEnv, type Theme } from './theme.js';

export const MIN_COLUMNS = 60;
export const MIN_ROWS = 15;

export interface AppProps {
  services: TuiServices;
  theme?: Theme;
  initialRoute?: Route;
}

export function App({ services, theme, initialRoute }: AppProps) {
  const [state, dispatch] = useReducer(reducer, initialRoute, initialState);
  const router = useMemo(() => new CommandRouter(), []);
  const store = useMemo(() => ({ state, dispatch }), [state]);
  const th = useMemo(() => theme ?? themeFromEnv(), [theme]);
  return (
    <ThemeContext.Provider value={th}>
      <ServicesProvider services={services}>
        <StoreContext.Provider value={store}>
          <RouterContext.Provider value={router}>
            <Frame router={router} />
          </RouterContext.Provider>
        </StoreContext.Provider>
      </ServicesProvider>
    </ThemeContext.Provider>
  );
}

function Frame({ router }: { router: CommandRouter }) {
  const { columns, rows, settling } = useTerminalSize();
  const { state, dispatch } = useStore();
  const { exit } = useApp();
  const route = currentRoute(state);
  const transfers = useTransfers();
  // A finished pull is a new library image: let every library view read again.
  useEffect(() => dispatch({ type: 'refresh', what: 'library' }), [transfers.finished, dispatch]);
  const ctx: KeyContext = { screen: route.screen, dialog: !!state.dialog, typing: !!state.typing, dangerous: !!state.dialog?.dangerous };
  const ctxRef = useRef(ctx);
  ctxRef.current = ctx;

  const handle = (input: string, key: Key): void => {
    const command = resolveKey(input, key, ctxRef.current);
    if (command) {
      if (!ctxRef.current.dialog) dispatch({ type: 'clear-message' });
      router.run(command);
    } else if (ctxRef.current.typing && input && isPlainText(input) && !key.ctrl && !key.meta) {
      dispatch({ type: 'text-append', text: input });
    }
  };
  const onKey = useKeyQueue(handle, () => ctxRef.current.typing);
  useInput(onKey);

  useCommands(
    {
      quit: () => {
        const running = transfers.active.length;
        if (!running) return exit();
        dispatch({
          type: 'dialog',
          dialog: {
            kind: 'confirm',
            title: `Quit with ${counted(running, 'transfer')} unfinished?`,
            lines: ['They stay in the queue and carry on the next time sreg starts (Globus tasks keep running at Globus meanwhile).'],
            action: { kind: 'quit' },
          },
        });
      },
      help: () => dispatch({ type: 'navigate', route: { screen: 'help', from: route.screen } }),
      back: () => dispatch({ type: 'back' }),
      'go-library': () => dispatch({ type: 'go', route: { screen: 'library' } }),
      'go-log': () => dispatch({ type: 'go', route: { screen: 'log' } }),
      'go-home': () => dispatch({ type: 'go', route: { screen: 'home' } }),
      'go-transfers': () => dispatch({ type: 'go', route: { screen: 'transfers' } }),
      'text-accept': () => dispatch({ type: 'type-stop' }),
      'text-cancel': () => dispatch({ type: 'type-stop', clear: true }),
      'text-delete': () => dispatch({ type: 'text-delete' }),
      'text-clear': () => state.typing && dispatch({ type: 'text-set', field: state.typing, value: '' }),
    },
    'app',
  );

  // An empty frame right after a resize makes Ink erase all it drew (see useTerminalSize).
  if (settling) return null;
  if (columns < MIN_COLUMNS || rows < MIN_ROWS) {
    return (
      <Box flexDirection="column" width={columns}>
        <Text wrap="truncate">Terminal too small ({columns}x{rows}).</Text>
        <Text wrap="truncate">sreg needs at least {MIN_COLUMNS}x{MIN_ROWS}.</Text>
        <Text wrap="truncate">Make the window larger, or press q to quit.</Text>
      </Box>
    );
  }
  const bodyHeight = rows - 1 - 3;
  const dialogH = state.dialog ? Math.min(dialogHeight(state.dialog, columns), bodyHeight - 5) : 0;
  return (
    <Box flexDirection="column" width={columns} height={rows - 1} overflow="hidden">
      <TabBar width={columns} screen={route.screen} />
      <Screen route={route} width={columns} height={bodyHeight - dialogH} />
      {state.dialog ? <DialogHost width={columns} height={dialogH} /> : null}
      <Status width={columns} transfers={transfers.summary} />
      <Footer ctx={ctx} width={columns} />
    </Box>
  );
}

function Screen({ route, width, height }: { route: Route; width: number; height: number }) {
  switch (route.screen) {
    case 'library':
      return <LibraryScreen width={width} height={height} />;
    case 'inspect':
      return <InspectScreen uri={route.uri} width={width} height={height} />;
    case 'help':
      return <HelpScreen width={width} height={height} />;
    case 'log':
      return <LogScreen width={width} height={height} />;
    case 'home':
      return <HomeScreen width={width} height={height} />;
    case 'auth':
      return <AuthScreen backend={route.backend} scopes={route.scopes} reason={route.reason} returnTo={route.returnTo} width={width} height={height} />;
    case 'browser':
      return <BrowserScreen backend={route.backend} location={route.location} width={width} height={height} />;
    case 'transfers':
      return <TransfersScreen width={width} height={height} />;
    case 'endpoints':
      return <EndpointSearchScreen width={width} height={height} />;
  }
}

function DialogHost({ width, height }: { width: number; height: number }) {
  const { state, dispatch } = useStore();
  const { exit } = useApp();
  const run = useActions();
  const dialog = state.dialog!;
  useCommands(
    {
      confirm: () => {
        dispatch({ type: 'dialog' });
        const action =
          dialog.kind === 'prompt' && dialog.action?.kind === 'mkdir' ? { ...dialog.action, name: input(state, 'prompt') } : dialog.kind === 'confirm' ? dialog.action : undefined;
        if (!action) return;
        if (action.kind === 'quit') return exit();
        if (action.kind === 'enqueue' && action.clearMarks) dispatch({ type: 'marks-clear', list: action.clearMarks });
        dispatch({ type: 'busy', text: 'working' });
        void run(action).then((r) => {
          for (const what of r.refresh) dispatch({ type: 'refresh', what });
          dispatch({ type: 'message', text: r.message, level: r.level });
        });
      },
      cancel: () => dispatch({ type: 'dialog' }),
    },
    'dialog',
  );
  return <Confirm dialog={dialog} width={width} height={height} value={input(state, 'prompt')} />;
}

function Status({ width, transfers }: { width: number; transfers: string }) {
  const { state } = useStore();
  const { env, sandbox } = useServices();
  const lib = useLibrary('', state.epoch.library);
  const facts = [lib.location, counted(lib.total, 'image'), ...(transfers ? [transfers] : [])];
  const isSandbox = !!sandbox || env.SREG_SANDBOX === '1' || env.SREG_SANDBOX === 'true';
  return <StatusBar width={width} sandbox={isSandbox} facts={facts} message={state.message} busy={state.busy} />;
}
