/**
 * Messages from a worker process to the process that forked it. The parent may be gone (killed):
 * then the worker exits quietly instead of dying on an unhandled EPIPE.
 */
export function sendToParent(message: unknown): void {
  if (!process.send || !process.connected) process.exit(0);
  process.send(message, undefined, undefined, (err) => {
    if (err) process.exit(0);
  });
}
