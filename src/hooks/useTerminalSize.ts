// Columns and rows of the terminal, updated on resize. Right after a resize `settling` is true for a
// moment: the App draws an empty frame then, which makes Ink erase everything it drew before, so no
// stale lines survive a terminal that shrank or reflowed.
import { useStdout } from 'ink';
import { useEffect, useState } from 'react';

export interface TerminalSize {
  columns: number;
  rows: number;
  settling: boolean;
}

const SETTLE_MS = 40;

function read(stdout: NodeJS.WriteStream): { columns: number; rows: number } {
  return { columns: stdout.columns || 80, rows: stdout.rows || 24 };
}

export function useTerminalSize(): TerminalSize {
  const { stdout } = useStdout();
  const [size, setSize] = useState(() => ({ ...read(stdout), settling: false }));
  useEffect(() => {
    let timer: NodeJS.Timeout | undefined;
    const onResize = () => {
      const next = read(stdout);
      setSize((prev) => (prev.columns === next.columns && prev.rows === next.rows && !prev.settling ? prev : { ...next, settling: true }));
      clearTimeout(timer);
      timer = setTimeout(() => setSize((prev) => ({ ...prev, settling: false })), SETTLE_MS);
    };
    stdout.on('resize', onResize);
    return () => {
      clearTimeout(timer);
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}
