// The frame: providers, the one keyboard listener, the router from routes to screens, and the chrome
// (tab bar, status bar, footer). Height is at most rows - 1 so the terminal never scrolls.
import { Box, Text, useApp, useInput, type Key } from 'ink';
import { useMemo, useReducer, useRef } from 'react';
import { Confirm, dialogHeight } from '../components/Confirm.js';
import { Footer } from '../components/Footer.js';
import { StatusBar } from '../components/StatusBar.js';
import { TabBar } from '../components/TabBar.js';
import { useActions } from '../hooks/useActions.js';
import { useLibrary } from '../hooks/useLibrary.js';
import { ServicesProvider, useServices, type TuiServices } from '../hooks/useServices.js';
import { useTerminalSize } from '../hooks/useTerminalSize.js';
import { HelpScreen } from '../screens/Help.js';
import { InspectScreen } from '../screens/Inspect.js';
import { LibraryScreen } from '../screens/Library.js';
import { LogScreen } from '../screens/Log.js';
import { CommandRouter, RouterContext, StoreContext, useCommands, useStore } from './context.js';
import { resolveKey, type KeyContext } from './keymap.js';
import { currentRoute, initialState, reducer, type Route } from './store.js';
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
  const ctx: KeyContext = { screen: route.screen, dialog: !!state.dialog, typing: !!state.typing };
  const ctxRef = useRef(ctx);
  ctxRef.current = ctx;

  const onKey = (input: string, key: Key): void => {
    const command = resolveKey(input, key, ctxRef.current);
    if (command) {
      if (!ctxRef.current.dialog) dispatch({ type: 'clear-message' });
      router.run(command);
    } else if (ctxRef.current.typing && input && !key.ctrl && !key.meta) {
      dispatch({ type: 'text-append', text: input });
    } else if (input.length > 1 && !key.ctrl && !key.meta) {
      // Keys typed while sreg was busy arrive as one chunk; take them one at a time, letting each
      // render first (a `/` starts typing, so the letters after it are text).
      onKey(input[0]!, { ...key, shift: /[A-Z]/.test(input[0]!) });
      setTimeout(() => onKey(input.slice(1), key), 0);
    }
  };
  useInput(onKey);

  useCommands(
    {
      quit: () => exit(),
      help: () => dispatch({ type: 'navigate', route: { screen: 'help', from: route.screen } }),
      back: () => dispatch({ type: 'back' }),
      'go-library': () => dispatch({ type: 'go', route: { screen: 'library' } }),
      'go-log': () => dispatch({ type: 'go', route: { screen: 'log' } }),
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
      <Status width={columns} />
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
    default:
      return <Placeholder name={route.screen} width={width} height={height} />;
  }
}

function Placeholder({ name, width, height }: { name: string; width: number; height: number }) {
  return (
    <Box width={width} height={height}>
      <Text wrap="truncate"> {name}: coming soon</Text>
    </Box>
  );
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
        const action = dialog.kind === 'confirm' ? dialog.action : undefined;
        if (!action) return;
        if (action.kind === 'quit') return exit();
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
  return <Confirm dialog={dialog} width={width} height={height} />;
}

function Status({ width }: { width: number }) {
  const { state } = useStore();
  const { env, sandbox } = useServices();
  const lib = useLibrary('', state.epoch.library);
  const facts = [lib.location, `${lib.total} image${lib.total === 1 ? '' : 's'}`];
  const isSandbox = !!sandbox || env.SREG_SANDBOX === '1' || env.SREG_SANDBOX === 'true';
  return <StatusBar width={width} sandbox={isSandbox} facts={facts} message={state.message} busy={state.busy} />;
}
