// `pnpm demo`: runs the main job on embedded defaults. Until the demo pipeline lands
// (issue 7), it says so plainly and fails, rather than pretend.
console.error(
  "controlroom demo is not built yet: the Odoo medallion pipeline lands with issue 7.\n" +
    "Meanwhile, `pnpm test` runs the test suite and docs/ describes what exists.",
);
process.exit(2);
