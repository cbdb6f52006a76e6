/**
 * Compile errors about proposals: a module that uses one the engine's config switches off
 * (`EngineConfig.features`), or one the host engine does not implement. Both name the proposal, where
 * the module uses it, and (for the host) which engine lacks it, instead of the engine's own wording.
 *
 * @module
 */
import { memory64Uses, proposalUses, type Proposal, type ProposalUse } from "../binary/proposals.js";
import type { ModuleInfo } from "../binary/module-info.js";
import { CompileError } from "../errors.js";
import { engineFeatures, memory64Parts } from "./features.js";

/**
 * Throws a `CompileError` when `info` uses a proposal in `disabled`. Reads every function body, so it
 * runs only for engines that switch something off.
 */
export function checkDisabledProposals(info: ModuleInfo, disabled: ReadonlySet<Proposal>): void {
  if (disabled.size === 0) return;
  const uses = proposalUses(info, { code: true, stopAt: (p) => disabled.has(p) });
  for (const use of uses.values()) {
    if (!disabled.has(use.proposal)) continue;
    throw new CompileError(
      `${use.specReason ? `${use.specReason}: ` : ""}${use.what} needs the ${use.proposal} proposal, which this engine's config switches off (EngineConfig.features)`,
      use.offset,
      { proposal: use.proposal },
    );
  }
}

/**
 * The proposals `info` uses that the host engine lacks, each with its first use the host lacks (for
 * memory64, the first 64-bit memory or table of a half the host does not have), in binary order.
 * Empty when the module needs nothing the host lacks; reads every function body.
 */
export function missingHostUses(info: ModuleInfo): ProposalUse[] {
  const host = engineFeatures();
  // memory64 is two halves: the walk goes on past it, and memory64Uses says which half is missing.
  const uses = proposalUses(info, { code: true, stopAt: (p) => !host[p] && p !== "memory64" });
  const out: ProposalUse[] = [];
  for (const use of uses.values()) {
    if (host[use.proposal]) continue;
    if (use.proposal === "memory64") {
      const parts = memory64Parts();
      const lacking = memory64Uses(info).find((u) => !(u.kind === "memory" ? parts.memories : parts.tables));
      if (lacking) out.push({ proposal: "memory64", what: lacking.what, offset: lacking.offset });
      continue;
    }
    out.push(use);
  }
  return out;
}

/**
 * After the host engine rejected `info`: a `CompileError` naming the first proposal the module uses
 * that the host lacks (with `cause` the engine's error), or `undefined` when the module needs none
 * (the engine rejected it for another reason).
 */
export function missingHostProposal(info: ModuleInfo, engineError: unknown, hostName: string): CompileError | undefined {
  let missing: ProposalUse[];
  try {
    missing = missingHostUses(info);
  } catch {
    return undefined; // a malformed body: the caller reports it
  }
  const use = missing[0];
  if (!use) return undefined;
  return new CompileError(
    `${use.what} needs the ${use.proposal} proposal, which ${hostName} does not support`,
    use.offset,
    { cause: engineError, proposal: use.proposal },
  );
}
