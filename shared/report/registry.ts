/**
 * The report's sections: those the stages of the daily run declare (`report` on a stage), in page
 * order: by placement (section.ts), then in the registry's order. Nothing lists a section by hand.
 */

import { STAGES } from '../stages/registry.ts';
import type { Stage } from '../stages/stage.ts';
import { PLACEMENTS, type ReportSection } from './section.ts';

/** The anchors of the page's own parts; no section may take one. */
export const CORE_ANCHORS = ['headline'] as const;

/** The sections the stages declare, in page order; an anchor used twice is refused. */
export function sectionsOf(stages: readonly Pick<Stage, 'name' | 'report'>[]): ReportSection[] {
  const owner = new Map<string, string>(CORE_ANCHORS.map((id) => [id, 'the report core']));
  for (const stage of stages)
    for (const section of stage.report ?? []) {
      const taken = owner.get(section.id);
      if (taken) throw new Error(`report section "${section.id}" of ${stage.name}: ${taken} has that anchor`);
      owner.set(section.id, stage.name);
    }
  return stages
    .flatMap((stage) => stage.report ?? [])
    .sort((a, b) => PLACEMENTS.indexOf(a.placement) - PLACEMENTS.indexOf(b.placement));
}

export const REPORT_SECTIONS: readonly ReportSection[] = sectionsOf(STAGES);
