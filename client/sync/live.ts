// The device's end of the poke (GET /api/sync/events): keeps one Server-Sent Events stream open,
// read with fetch (EventSource cannot send the Authorization header), and calls onChanged when the
// server's sequence moves; the scheduler then pulls at once. A dropped or ended stream reconnects
// with backoff; a token that expired ends the stream and the reconnect refreshes it (AuthedClient).
// Nothing depends on it: the scheduler's regular pull still runs, so a proxy that buffers or cuts
// the stream only makes changes arrive later. docs/sync.md "The poke".

export interface LiveOptions {
  /** Opens the stream (AuthedClient.open with the one refresh on 401). */
  open: (signal: AbortSignal) => Promise<Response>;
  /** The server's change log moved to `seq` (or this is the first message after a (re)connect and it differs from the last seen). */
  onChanged: (seq: number) => void;
  /** A failure retrying cannot fix (sign-in needed): wait the longest backoff. */
  isPermanent?: (err: unknown) => boolean;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** The wait before reconnecting after a stream that ended normally (token expiry, server restart). */
  reconnectMs?: number;
  random?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (t: unknown) => void;
}

export class LivePoke {
  private readonly o: Required<LiveOptions>;
  private stopped = true;
  private abort: AbortController | null = null;
  private timer: unknown = null;
  private wake: (() => void) | null = null;
  /** Connection attempts that failed in a row. */
  failures = 0;
  /** The last sequence the server announced. */
  lastSeq: number | null = null;
  connected = false;

  constructor(opts: LiveOptions) {
    this.o = {
      isPermanent: () => false,
      backoffBaseMs: 1_000,
      backoffMaxMs: 60_000,
      reconnectMs: 500,
      random: Math.random,
      setTimer: (fn, ms) => setTimeout(fn, ms),
      clearTimer: (t) => clearTimeout(t as ReturnType<typeof setTimeout>),
      ...opts,
    };
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    void this.loop();
  }

  stop() {
    this.stopped = true;
    this.abort?.abort();
    this.kick();
  }

  /** Reconnects now if waiting (the network came back). */
  kick() {
    if (this.timer !== null) this.o.clearTimer(this.timer);
    this.timer = null;
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  /** 1 s, 2 s, 4 s … up to a minute, each cut by up to half at random (devices do not reconnect in step). */
  backoff(failures: number): number {
    const ceiling = Math.min(this.o.backoffMaxMs, this.o.backoffBaseMs * 2 ** Math.max(0, failures - 1));
    return Math.round(ceiling * (0.5 + 0.5 * this.o.random()));
  }

  private sleep(ms: number) {
    return new Promise<void>((ok) => {
      this.wake = ok;
      this.timer = this.o.setTimer(() => {
        this.timer = null;
        this.wake = null;
        ok();
      }, ms);
    });
  }

  private async loop() {
    while (!this.stopped) {
      const ctl = new AbortController();
      this.abort = ctl;
      let wait = this.o.reconnectMs;
      try {
        const res = await this.o.open(ctl.signal);
        this.failures = 0;
        this.connected = true;
        await this.read(res);
      } catch (err) {
        if (this.stopped) break;
        this.failures += 1;
        wait = this.o.isPermanent(err) ? this.o.backoffMaxMs : this.backoff(this.failures);
      } finally {
        this.connected = false;
        this.abort = null;
      }
      if (this.stopped) break;
      await this.sleep(wait);
    }
  }

  /** Reads messages until the stream ends; `changed` carries {"seq":n}. */
  private async read(res: Response) {
    if (!res.body) throw new Error('The event stream has no body.');
    const reader = res.body.getReader();
    const dec = new TextDecoder();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += dec.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        this.message(buf.slice(0, i));
        buf = buf.slice(i + 2);
      }
    }
  }

  private message(block: string) {
    let event = 'message';
    let data = '';
    for (const line of block.split('\n')) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data += line.slice(5).trim();
    }
    if (event !== 'changed') return; // comments (heartbeats), retry hints, "expired" (the stream ends next)
    let seq: unknown;
    try {
      seq = (JSON.parse(data) as { seq?: unknown }).seq;
    } catch {
      return;
    }
    if (typeof seq !== 'number' || seq === this.lastSeq) return;
    this.lastSeq = seq;
    this.o.onChanged(seq);
  }
}
