import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppConfig } from '../config/app-config';

export const RUNNING_MARKER = 'groupbuy.running';

/**
 * Start and stop as an operator sees them. A marker file in DATA_DIR exists while the app runs and
 * is removed by a clean stop, so a start that finds one says the previous stop was unclean (killed,
 * crashed, out of memory). One marker per DATA_DIR: instances that share a DATA_DIR share it too.
 * On SIGTERM/SIGINT: one line, then `draining` (new requests get a §2 503) while in-flight ones finish.
 */
@Injectable()
export class LifecycleService implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private drainingSince?: number;

  constructor(private readonly config: AppConfig) {}

  get draining(): boolean {
    return this.drainingSince !== undefined;
  }

  onApplicationBootstrap(): void {
    const file = join(this.config.dataDir, RUNNING_MARKER);
    const previous = readMarker(file);
    if (previous) {
      process.stderr.write(
        `groupbuy: warning: the previous run (pid ${previous.pid ?? '?'}, started ${previous.startedAt ?? '?'}) did not stop cleanly; its last requests may have been cut off\n`,
      );
    }
    try {
      mkdirSync(this.config.dataDir, { recursive: true });
      writeFileSync(file, JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() }) + '\n');
    } catch {
      // a read-only DATA_DIR (MySQL in production) only costs this check
    }
  }

  beforeApplicationShutdown(signal?: string): void {
    this.drain(signal);
  }

  /** From now on new requests are answered 503; the HTTP server then closes once in-flight requests end. */
  drain(signal?: string): void {
    if (this.draining) return;
    this.drainingSince = Date.now();
    if (signal) process.stdout.write(`groupbuy: ${signal} received: draining in-flight requests, then stopping\n`);
  }

  onApplicationShutdown(): void {
    try {
      rmSync(join(this.config.dataDir, RUNNING_MARKER), { force: true });
    } catch {
      // nothing to mark as clean where nothing could be written
    }
  }
}

function readMarker(file: string): { pid?: number; startedAt?: string } | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as { pid?: number; startedAt?: string };
  } catch {
    return {};
  }
}
