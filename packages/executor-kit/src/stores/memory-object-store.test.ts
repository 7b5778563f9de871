import { objectStoreConformance } from "../testing/object-store-conformance.js";
import { createMemoryObjectStore } from "./memory-object-store.js";

objectStoreConformance("memory", () => createMemoryObjectStore());
