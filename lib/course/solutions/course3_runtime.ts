/** Solutions of the exercises in course 3's runtime lessons (3.1, 3.2, 3.6), keys "<lesson>-<exercise>". */
export const COURSE3_RUNTIME_SOLUTIONS: Readonly<Record<string, string>> = {
  "3-01-first-bad-layer": [
    "The rows come in execution order, so the first row with any differing byte is the first bad layer:",
    "  function firstBadLayer(rows: LayerComparison[]): number {",
    "    return rows.find((r) => r.differing > 0)?.opIndex ?? -1;",
    "  }",
    "With the correct glue code every row has differing = 0 (→ −1); with the uint8 bug it is op 0, the first",
    "operator to read the input.",
  ].join("\n"),
  "3-02-inferences-per-second": [
    "A 16 MHz clock gives 16,000,000 cycles a second; one inference takes rows[2].cycles of them:",
    "  const myRate = 16_000_000 / rows[2].cycles;",
    "(latencySummary(cycles, 16e6).perSecond computes the same from the median.)",
  ].join("\n"),
  "3-06-my-checklist": [
    "One item per area at least, each with your own number, limit and evidence. For a keyword spotter, e.g.:",
    "  const myChecklist: ChecklistItem[] = [",
    '    atMost("accent-gap", "fairness", "Is the false-reject gap between accents small?", 4.1, 5, "points"),',
    '    atMost("audio-sent", "privacy", "Does only the detected word leave the device?", 0.01, 1, "% of raw bytes"),',
    '    holds("signed-model", "security", "Does the device refuse a modified model?", true, "signed package; tampered copy refused"),',
    '    atMost("arena", "resources", "Does the arena fit in 64 KB?", 22_500, 65_536, "B"),',
    '    atMost("bit-exact", "reliability", "Does the board compute what we tested?", 0, 0, "layers differ"),',
    "  ];",
    "checklistProblems(myChecklist) is then empty. Use measured numbers from your notebooks, and set each limit",
    "before you look at the measurement.",
  ].join("\n"),
};
