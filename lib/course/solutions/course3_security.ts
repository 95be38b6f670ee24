/** Solutions of the exercises in course3_security lessons (keys "<lesson>-<exercise>"). */
export const COURSE3_SECURITY_SOLUTIONS: Readonly<Record<string, string>> = {
  "3-04-predict-status": [
    "Follow the header layout and the order of the checks (cheapest first, signature last):",
    "  function predictStatus(position: number, pkgBytes: number): string {",
    '    if (position < 4) return "bad-magic";        // "TMLS"',
    '    if (position < 8) return "unsupported";      // version, algorithm, flags',
    '    if (position < 12) return "truncated";       // model length: now longer (or shorter: "trailing-data")',
    '    if (position < 20) return "wrong-key";       // key id',
    '    return "bad-signature";                      // model bytes and the signature itself (pkgBytes - 64 …)',
    "  }",
    "The signature covers the header too, so even a header change that passed its own check would fail there.",
  ].join("\n"),
};
