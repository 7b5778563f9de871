/**
 * Exits when the test that spawned this process goes away (its IPC channel closes), so
 * a test that crashes or is killed leaves no worker or server behind. The test marks
 * its children with `CHAOS_PARENT_IPC=1`; without it (started by hand) this does nothing.
 */
export function exitWithParent(): void {
  if (process.env.CHAOS_PARENT_IPC !== "1") return;
  // The parent may have gone while this process was still loading its modules: the
  // channel is then already closed (and null).
  if (!process.channel || !process.connected) process.exit(1);
  // The channel must not keep the process alive on its own.
  process.channel.unref();
  process.once("disconnect", () => process.exit(1));
}
