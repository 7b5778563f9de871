// @controlroom/sdk's entry also exports Node-only parts (localArtifactStorage, and
// artifacts.put hashing with node:crypto). The browser app never calls them, but the
// bundler still resolves their imports; this module stands in for those built-ins so
// that a call would fail with a clear message instead of "x is not a function".
function unavailable(name: string): never {
  throw new Error(`${name} is not available in the browser (a Node-only part of the SDK)`);
}

export const createHash = () => unavailable("node:crypto createHash");
export const randomUUID = () => unavailable("node:crypto randomUUID");
export const createWriteStream = () => unavailable("node:fs createWriteStream");
export const link = () => unavailable("node:fs/promises link");
export const mkdir = () => unavailable("node:fs/promises mkdir");
export const rename = () => unavailable("node:fs/promises rename");
export const rm = () => unavailable("node:fs/promises rm");
export const writeFile = () => unavailable("node:fs/promises writeFile");
export const dirname = () => unavailable("node:path dirname");
export const join = () => unavailable("node:path join");
export const resolve = () => unavailable("node:path resolve");
export const pathToFileURL = () => unavailable("node:url pathToFileURL");
