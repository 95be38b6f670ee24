/** A threat model of a TinyML device (a microcontroller running a keyword spotter with over-the-air model updates). */

/** One row: what is attacked, how, what it costs the owner, and what defends it. */
export interface Threat {
  /** What the attacker is after. */
  asset: string;
  /** How it is attacked. */
  threat: string;
  /** STRIDE category: Spoofing, Tampering, Repudiation, Information disclosure, Denial of service, Elevation of privilege. */
  stride: "S" | "T" | "R" | "I" | "D" | "E";
  /** Who can do it: "remote" (network/radio), "nearby" (sound, radio range), "physical" (holds the board). */
  access: "remote" | "nearby" | "physical";
  impact: "low" | "medium" | "high";
  mitigation: string;
  /** Where this kit shows it, when it does. */
  inKit?: string;
}

/** The threat model of a TinyML device, as data (print it with {@link threatTable}). */
export const TINYML_THREATS: readonly Threat[] = [
  {
    asset: "model update (OTA)",
    threat: "malicious or corrupted model flashed over the air",
    stride: "T",
    access: "remote",
    impact: "high",
    mitigation: "sign packages; verify Ed25519 signature on the device before use; refuse unsigned/unknown keys",
    inKit: "signModel / verifyModel, C verifier, tamper test on Cortex-M4",
  },
  {
    asset: "model update (OTA)",
    threat: "rollback to an older, vulnerable signed model",
    stride: "T",
    access: "remote",
    impact: "medium",
    mitigation: "monotonic version counter in the signed header, checked against one stored on the device",
  },
  {
    asset: "signing key",
    threat: "private key stolen from the build server",
    stride: "S",
    access: "remote",
    impact: "high",
    mitigation: "keep the key offline or in an HSM; devices hold only the public key; plan key rotation",
  },
  {
    asset: "firmware and public key",
    threat: "key or verifier replaced by reflashing through the debug port",
    stride: "E",
    access: "physical",
    impact: "high",
    mitigation: "secure boot, debug port locked (APPROTECT on nRF52), read-back protection",
  },
  {
    asset: "model weights (IP)",
    threat: "weights read out of flash and copied",
    stride: "I",
    access: "physical",
    impact: "medium",
    mitigation: "read-back protection; encrypt models at rest where the chip has a key store",
  },
  {
    asset: "model weights (IP)",
    threat: "model stolen by querying it (model extraction)",
    stride: "I",
    access: "nearby",
    impact: "low",
    mitigation: "expose labels, not scores; rate-limit queries",
  },
  {
    asset: "model decisions",
    threat: "adversarial audio makes the keyword spotter hear \"yes\"",
    stride: "S",
    access: "nearby",
    impact: "high",
    mitigation: "adversarial training, input quantization/smoothing, confirm critical actions a second way",
    inKit: "pgdAttack / adversarialTrain on a KWS model",
  },
  {
    asset: "model decisions",
    threat: "poisoned training data plants a backdoor trigger",
    stride: "T",
    access: "remote",
    impact: "high",
    mitigation: "curate and hash datasets; test for triggers; sign the data pipeline's outputs",
  },
  {
    asset: "user audio (privacy)",
    threat: "raw audio leaked over the radio or from RAM",
    stride: "I",
    access: "nearby",
    impact: "high",
    mitigation: "process on the device, send only labels, clear buffers; encrypt the link",
  },
  {
    asset: "availability",
    threat: "battery drained by triggering wake-ups (noise, replayed keywords)",
    stride: "D",
    access: "nearby",
    impact: "medium",
    mitigation: "rate-limit wake-ups, cascade a cheap detector before the big model",
  },
  {
    asset: "availability",
    threat: "fault injection (voltage/clock glitch) skips the signature check",
    stride: "E",
    access: "physical",
    impact: "high",
    mitigation: "check the result twice, use non-trivial success values, brown-out detection",
  },
];

/** The threat model as an aligned text table (asset | threat | STRIDE | access | impact | mitigation). */
export function threatTable(threats: readonly Threat[] = TINYML_THREATS): string {
  const head = ["asset", "threat", "STRIDE", "access", "impact", "mitigation"];
  const rows = threats.map((t) => [t.asset, t.threat, t.stride, t.access, t.impact, t.mitigation]);
  const widths = head.map((h, i) => Math.min(60, Math.max(h.length, ...rows.map((r) => r[i].length))));
  const cut = (s: string, w: number) => (s.length > w ? s.slice(0, w - 1) + "…" : s.padEnd(w));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : cut(c, widths[i]))).join("  ");
  return [line(head), widths.map((w, i) => "-".repeat(i === widths.length - 1 ? head[i].length : w)).join("  "), ...rows.map(line)].join("\n");
}
