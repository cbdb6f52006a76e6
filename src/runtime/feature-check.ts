/**
 * Compile errors about proposals: a module that uses one the engine's config switches off
 * (`EngineConfig.features`), or one the host engine does not implement. Both name the proposal, where
 * the module uses it, and (for the host) which engine lacks it, instead of the engine's own wording.
 *
 * @module
 */
import { proposalUses, type Proposal, type ProposalUse } from "../binary/proposals.js";
import type { ModuleInfo } from "../binary/module-info.js";
import { CompileError } from "../errors.js";
import { engineFeatures } from "./features.js";

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
 * After the host engine rejected `info`: a `CompileError` naming the first proposal the module uses
 * that the host lacks (with `cause` the engine's error), or `undefined` when the module needs none
 * (the engine rejected it for another reason).
 */
export function missingHostProposal(info: ModuleInfo, engineError: unknown, hostName: string): CompileError | undefined {
  const host = engineFeatures();
  let uses: ReadonlyMap<Proposal, ProposalUse>;
  try {
    uses = proposalUses(info, { code: true, stopAt: (p) => !host[p] });
  } catch {
    return undefined; // a malformed body: the caller reports it
  }
  for (const use of uses.values()) {
    if (host[use.proposal]) continue;
    return new CompileError(
      `${use.what} needs the ${use.proposal} proposal, which ${hostName} does not support`,
      use.offset,
      { cause: engineError, proposal: use.proposal },
    );
  }
  return undefined;
}
