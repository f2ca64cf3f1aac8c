import type { LoggerService } from '@nestjs/common';
import pino, { DestinationStream, Level, Logger } from 'pino';

/** Header values that must never reach a log line, wherever a request object is logged. */
export const REDACTED_PATHS = ['req.headers.authorization', 'req.headers["authori-zation"]', 'req.headers.cookie'];

export interface AppLoggers {
  /** Nest's and the services' logs; whatever request they log has its auth headers redacted */
  app: Logger;
  /** the request lines, which carry only id, method, url, status and time: redaction would cost a third of each line */
  requests: Logger;
}

/** The process's logs, one destination (stdout unless given), one LOG_LEVEL (`silent` writes nothing). */
export function createAppLoggers(level: string, destination: DestinationStream = pino.destination({ dest: 1, sync: true })): AppLoggers {
  return { app: pino({ level, redact: REDACTED_PATHS }, destination), requests: pino({ level }, destination) };
}

type Method = Level;

/**
 * Nest's LoggerService on a plain pino logger, with nestjs-pino's argument contract (what `new Logger(ctx)`
 * in services already relies on): the last extra argument is the context, an object first argument is merged
 * into the line, an Error goes under `err`. No per-request child logger: the request id is on the request line.
 */
export class PinoNestLogger implements LoggerService {
  constructor(readonly pino: Logger) {}

  verbose(message: unknown, ...optionalParams: unknown[]) {
    this.call('trace', message, optionalParams);
  }
  debug(message: unknown, ...optionalParams: unknown[]) {
    this.call('debug', message, optionalParams);
  }
  log(message: unknown, ...optionalParams: unknown[]) {
    this.call('info', message, optionalParams);
  }
  warn(message: unknown, ...optionalParams: unknown[]) {
    this.call('warn', message, optionalParams);
  }
  error(message: unknown, ...optionalParams: unknown[]) {
    this.call('error', message, optionalParams);
  }
  fatal(message: unknown, ...optionalParams: unknown[]) {
    this.call('fatal', message, optionalParams);
  }

  private call(level: Method, message: unknown, optionalParams: unknown[]) {
    if (!this.pino.isLevelEnabled(level)) return;
    const obj: Record<string, unknown> = {};
    let params = optionalParams;
    if (params.length !== 0) {
      obj.context = params[params.length - 1];
      params = params.slice(0, -1);
    }
    if (typeof message === 'object' && message !== null) {
      if (message instanceof Error) obj.err = message;
      else Object.assign(obj, message);
      this.pino[level](obj, ...(params as []));
    } else if (isStackContract(level, message, params)) {
      // Nest's own exception handlers call error(message, stack)
      const err = new Error(message as string);
      err.stack = params[0] as string;
      obj.err = err;
      this.pino[level](obj);
    } else {
      this.pino[level](obj, message as string, ...(params as []));
    }
  }
}

function isStackContract(level: Method, message: unknown, params: unknown[]): boolean {
  return (
    level === 'error' && typeof message === 'string' && params.length === 1 && typeof params[0] === 'string' && /\n\s*at /.test(params[0])
  );
}
