// Runs xlsx.worker.mjs off the request thread: at most two workbooks are read at once, each within
// a time budget and a heap limit; a worker that overruns either is terminated, never waited for.
import { Worker } from 'node:worker_threads';
import type { Cell } from './import.parse';

export type XlsxAnswer =
  | { rows: [line: number, cells: Cell[]][] }
  | { beyond: { ref: string; row: number; rowsBefore: number } }
  | { unreadable: true }
  | { noSheet: true }
  /** The worker was terminated: it ran over the time budget or out of its heap. */
  | { stopped: 'time' | 'memory' };

const WORKER = new URL('./xlsx.worker.mjs', import.meta.url);
const PARALLEL = 2;
const HEAP_MB = 1024;
/** A warm worker is kept this long after a read, so the next dry run skips loading exceljs (~0.5 s). */
const KEEP_IDLE_MS = 30_000;

let idle: { worker: Worker; timer: NodeJS.Timeout } | null = null;
let running = 0;
const queue: (() => void)[] = [];

function takeWorker(): Worker {
  if (idle) {
    clearTimeout(idle.timer);
    const { worker } = idle;
    idle = null;
    worker.ref();
    return worker;
  }
  // execArgv: [] — the worker is plain JavaScript and needs none of the parent's loaders or flags.
  const worker = new Worker(WORKER, { execArgv: [], resourceLimits: { maxOldGenerationSizeMb: HEAP_MB } });
  // A worker that dies while idle is dropped; while reading, readIn's own listeners answer for it.
  const dropIfIdle = () => {
    if (idle?.worker !== worker) return;
    clearTimeout(idle.timer);
    idle = null;
  };
  return worker.on('error', dropIfIdle).on('exit', dropIfIdle);
}

function putBack(worker: Worker) {
  if (idle) {
    void worker.terminate();
    return;
  }
  worker.unref(); // an idle worker never keeps the process alive
  idle = { worker, timer: setTimeout(() => { if (idle?.worker === worker) idle = null; void worker.terminate(); }, KEEP_IDLE_MS).unref() };
}

function readIn(worker: Worker, job: { bytes: Uint8Array; lastRow: number; columns: number }, budgetMs: number): Promise<XlsxAnswer> {
  return new Promise((resolve, reject) => {
    const done = (answer: XlsxAnswer | Error, keep: boolean) => {
      clearTimeout(timer);
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      if (keep) putBack(worker);
      else void worker.terminate();
      if (answer instanceof Error) reject(answer);
      else resolve(answer);
    };
    const onMessage = (answer: XlsxAnswer) => done(answer, true);
    const onError = (err: Error & { code?: string }) => done(err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? { stopped: 'memory' } : err, false);
    const onExit = (code: number) => done(new Error(`the xlsx worker exited with code ${code}`), false);
    const timer = setTimeout(() => done({ stopped: 'time' }, false), budgetMs);
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    worker.postMessage(job);
  });
}

/** Reads the first sheet of a workbook in a worker thread; see xlsx.worker.mjs for the answer. */
export async function readXlsx(bytes: Uint8Array, limits: { lastRow: number; columns: number }, budgetMs: number): Promise<XlsxAnswer> {
  if (running >= PARALLEL) await new Promise<void>((go) => queue.push(go));
  running++;
  try {
    return await readIn(takeWorker(), { bytes, ...limits }, budgetMs);
  } finally {
    running--;
    queue.shift()?.();
  }
}
