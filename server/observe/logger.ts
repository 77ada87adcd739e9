// Structured logs (decision 0032): one JSON line per request and per failure, by pino. Stack traces go
// to the log, never to a response. LOG_LEVEL: `silent`, `error` (failures only) or `info` (requests too).
import { pino, type DestinationStream, type Logger as Pino } from 'pino';
import type { Env } from '../env';
import type { Logger } from '../http/errors';

export type { Pino };

export function createLogger(level: Env['LOG_LEVEL'], destination?: DestinationStream): Pino {
  return pino({
    level,
    base: { service: 'barron-pms' },
    timestamp: pino.stdTimeFunctions.isoTime,
    // A token or password never reaches the log, whatever a caller passes in.
    redact: { paths: ['*.authorization', '*.password', '*.refreshToken', '*.accessToken', 'req.headers.cookie'], censor: '[redacted]' },
  }, destination);
}

/** The `(message, error)` logger every module calls (`deps.log`), written as pino error lines. */
export function logFunction(logger: Pino): Logger {
  return (msg, err) => {
    if (err === undefined) logger.error(msg);
    else logger.error({ err: err instanceof Error ? err : new Error(String(err)) }, msg);
  };
}
