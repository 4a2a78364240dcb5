// The latest log lines for the Log screen, re-read every two seconds while it is open.
import { useEffect, useState } from 'react';
import { tailLog } from '../services/log.js';

export function useLog(epoch = 0, lines = 500): string[] {
  const [tail, setTail] = useState<string[]>(() => tailLog(lines));
  useEffect(() => {
    setTail(tailLog(lines));
    const timer = setInterval(() => setTail(tailLog(lines)), 2000);
    return () => clearInterval(timer);
  }, [epoch, lines]);
  return tail;
}
