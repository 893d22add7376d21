import type { Logger } from './logger';

/**
 * A promise rejected with no handler, or an exception nothing caught, leaves the process in a state nobody
 * reasoned about: log it (with the error) and exit non-zero, so the supervisor (systemd, the container runtime)
 * starts a fresh process. The embedded FerretDB stops with us (its supervisor watches our pipe).
 */
export function exitOnUnhandledErrors(
  logger: Pick<Logger, 'fatal'>,
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  process.on('unhandledRejection', (reason: unknown) => {
    logger.fatal({ err: reason }, 'unhandled promise rejection; exiting');
    exit(1);
  });
  process.on('uncaughtException', (error: Error, origin: string) => {
    logger.fatal({ err: error, origin }, 'uncaught exception; exiting');
    exit(1);
  });
}
