import { startControlPlane } from "@controlroom/control-plane";
import type { TaskIo } from "../child-main.js";

/** Arguments of {@link serveControlPlane}. */
export interface ServeControlPlaneArgs {
  databaseUrl: string;
  jwtSecret: string;
}

/**
 * Runs the control plane on Postgres in this process (as `controlroom serve
 * --database-url` does) until SIGTERM; reports its URL with `ready`.
 */
export async function serveControlPlane(args: ServeControlPlaneArgs, io: TaskIo) {
  const cp = await startControlPlane({
    databaseUrl: args.databaseUrl,
    jwtSecret: args.jwtSecret,
    port: 0,
  });
  io.ready({ url: cp.url });
  await io.stopped;
  await cp.close();
  return {};
}
