/** A table's location as the lakehouses key it: without trailing slashes. */
export function tableLocation(location: string): string {
  return location.replace(/\/+$/, "");
}
