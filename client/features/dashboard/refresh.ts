// "Refreshed on the poke, at most every few seconds": a pull that happened asks for a refresh, and
// refreshes are spaced at least `gapMs` apart. A request inside the gap is not lost: one refresh
// runs when the gap ends (so the last change always shows), however many requests came meanwhile.
export interface Spacer {
  /** Runs now if the last run is `gapMs` old, else once at the end of the gap. */
  request(): void;
  /** Runs now, whatever the gap (the Refresh button, a new scope). */
  now(): void;
  stop(): void;
}

export function spaced(run: () => void, gapMs: number, clock: {
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (t: unknown) => void;
} = {}): Spacer {
  const now = clock.now ?? Date.now;
  const setTimer = clock.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = clock.clearTimer ?? ((t) => clearTimeout(t as ReturnType<typeof setTimeout>));
  let last = -Infinity;
  let timer: unknown = null;
  const fire = () => {
    if (timer !== null) clearTimer(timer);
    timer = null;
    last = now();
    run();
  };
  return {
    request() {
      if (timer !== null) return;
      const wait = last + gapMs - now();
      if (wait <= 0) fire();
      else timer = setTimer(fire, wait);
    },
    now: fire,
    stop() {
      if (timer !== null) clearTimer(timer);
      timer = null;
    },
  };
}
