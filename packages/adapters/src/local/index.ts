export { AdapterError, isAdapterError } from "../internal/adapter-error.js";
export {
  createLocalObjectStore,
  LocalObjectStore,
  type LocalObjectStoreOptions,
} from "./local-object-store.js";
export { LocalObjectStoreError } from "./local-object-store-error.js";
