/**
 * Closes the process once on SIGINT/SIGTERM. Nest's enableShutdownHooks is not used as well: both would close the
 * application (two signal listeners), and the second close ends the database pool again ("Called end on pool more
 * than once"). A repeated signal while closing waits for the same close.
 */
export function closeOnSignals(close: () => Promise<void>, signals: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM']): () => Promise<void> {
  let closing: Promise<void> | undefined;
  const once = (): Promise<void> => (closing ??= close());
  for (const s of signals) process.on(s, () => void once());
  return once;
}
