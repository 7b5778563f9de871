/** Where embedded mode keeps its database and JWT secret, relative to the working directory. */
export const DEFAULT_DATA_DIR = ".controlroom";

/** The tenant of the admin token `controlroom serve` prints. */
export const DEFAULT_TENANT = "default";

/** The port `controlroom serve` listens on, and where the other commands look by default. */
export const DEFAULT_PORT = 7400;

/** The control plane the client commands talk to when neither `--url` nor CONTROLROOM_URL is given. */
export const DEFAULT_URL = `http://127.0.0.1:${DEFAULT_PORT}`;
