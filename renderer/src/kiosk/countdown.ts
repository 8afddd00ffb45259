import { useEffect, useRef, useState } from 'react';

/** Seconds left of a countdown that calls `onDone` once when it reaches zero. */
export function useCountdown(seconds: number, onDone: () => void, running = true): number {
  const [left, setLeft] = useState(seconds);
  const done = useRef(onDone);
  done.current = onDone;
  useEffect(() => {
    if (!running) return undefined;
    const start = Date.now();
    setLeft(seconds);
    let fired = false;
    const timer = window.setInterval(() => {
      const l = Math.max(0, seconds - Math.floor((Date.now() - start) / 1000));
      setLeft(l);
      if (l === 0 && !fired) {
        fired = true;
        window.clearInterval(timer);
        done.current();
      }
    }, 250);
    return () => window.clearInterval(timer);
  }, [seconds, running]);
  return left;
}
