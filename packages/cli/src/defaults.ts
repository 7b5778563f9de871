/** Where embedded mode keeps its database and JWT secret, relative to the working directory. */
export const DEFAULT_DATA_DIR = ".controlroom";

/** The tenant of the admin token `controlroom serve` prints. */
export const DEFAULT_TENANT = "default";
