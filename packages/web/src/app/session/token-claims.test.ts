import { describe, expect, it } from "vitest";
import { canOperate, decodeTokenClaims } from "./token-claims.js";
import { takeTokenFromFragment } from "./token-storage.js";

const token = (claims: object) =>
  `h.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.s`;

describe("decodeTokenClaims", () => {
  it("reads sub, tenant and role, and refuses what is not a Control Room token", () => {
    expect(
      decodeTokenClaims(token({ sub: "ana", tenant_id: "t", role: "viewer", exp: 5 })),
    ).toEqual({
      sub: "ana",
      tenant_id: "t",
      role: "viewer",
      exp: 5,
    });
    expect(decodeTokenClaims(token({ sub: "ana", tenant_id: "t", role: "root" }))).toBeUndefined();
    expect(decodeTokenClaims("not a token")).toBeUndefined();
  });

  it("lets operators and admins operate, not viewers or executors", () => {
    expect(["viewer", "executor", "operator", "admin"].map((r) => canOperate(r as never))).toEqual([
      false,
      false,
      true,
      true,
    ]);
  });
});

describe("takeTokenFromFragment", () => {
  it("takes #token=… and removes it from the address", () => {
    const replaced: string[] = [];
    const history = {
      replaceState: (_: unknown, __: string, url?: string | URL | null) =>
        replaced.push(String(url)),
    };
    expect(
      takeTokenFromFragment(
        { hash: "#token=abc.def.ghi", pathname: "/runs/1", search: "?x=1" },
        history,
      ),
    ).toBe("abc.def.ghi");
    expect(replaced).toEqual(["/runs/1?x=1"]);
    expect(takeTokenFromFragment({ hash: "", pathname: "/", search: "" }, history)).toBeUndefined();
    expect(replaced).toHaveLength(1);
  });
});
