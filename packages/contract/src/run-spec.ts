import type { z } from "zod";
import type { PhaseSpec } from "./phase.js";

/** A phase spec whose `depends_on` has been resolved to an explicit list. */
export type ResolvedPhaseSpec = PhaseSpec & { depends_on: string[] };

/**
 * Resolves each phase's `depends_on`: a phase that does not say depends on the
 * previous one (the first depends on nothing). The server stores the result, so
 * everyone downstream sees explicit edges.
 */
export function resolveDependencies(phases: readonly PhaseSpec[]): ResolvedPhaseSpec[] {
  return phases.map((phase, index) => {
    const previous = index > 0 ? phases[index - 1] : undefined;
    const dependsOn = phase.depends_on ?? (previous ? [previous.name] : []);
    return { ...phase, depends_on: [...dependsOn] };
  });
}

interface PhaseLike {
  name: string;
  depends_on?: string[] | undefined;
}

/**
 * Checks that a run's phases form a valid DAG: names unique, every dependency names
 * an existing phase other than itself, and no cycle. Issues carry the offending path.
 */
export function checkPhaseGraph(phases: readonly PhaseLike[], ctx: z.RefinementCtx): void {
  const indexByName = new Map<string, number>();
  phases.forEach((phase, index) => {
    if (indexByName.has(phase.name)) {
      ctx.addIssue({
        code: "custom",
        path: ["phases", index, "name"],
        message: `duplicate phase name "${phase.name}"`,
      });
    } else {
      indexByName.set(phase.name, index);
    }
  });

  const edges = new Map<string, string[]>();
  let edgesValid = true;
  phases.forEach((phase, index) => {
    const previous = index > 0 ? phases[index - 1] : undefined;
    const dependsOn = phase.depends_on ?? (previous ? [previous.name] : []);
    dependsOn.forEach((dependency, depIndex) => {
      if (dependency === phase.name) {
        edgesValid = false;
        ctx.addIssue({
          code: "custom",
          path: ["phases", index, "depends_on", depIndex],
          message: `phase "${phase.name}" cannot depend on itself`,
        });
      } else if (!indexByName.has(dependency)) {
        edgesValid = false;
        ctx.addIssue({
          code: "custom",
          path: ["phases", index, "depends_on", depIndex],
          message: `unknown phase "${dependency}" in depends_on of "${phase.name}"`,
        });
      }
    });
    if (!edges.has(phase.name)) edges.set(phase.name, dependsOn);
  });
  if (!edgesValid) return;

  const cycle = findCycle(edges);
  if (cycle) {
    const index = indexByName.get(cycle[0]!) ?? 0;
    ctx.addIssue({
      code: "custom",
      path: ["phases", index, "depends_on"],
      message: `dependency cycle: ${cycle.join(" → ")}`,
    });
  }
}

/** Depth-first search; returns the first cycle found as a closed list of names. */
function findCycle(edges: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    const seen = state.get(name);
    if (seen === "done") return undefined;
    if (seen === "visiting") return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, "visiting");
    stack.push(name);
    for (const next of edges.get(name) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(name, "done");
    return undefined;
  };
  for (const name of edges.keys()) {
    const cycle = visit(name);
    if (cycle) return cycle;
  }
  return undefined;
}
