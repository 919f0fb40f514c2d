/** Every provider the portal offers, in the order it shows them. */
import { generic } from './generic.ts';
import type { DirectoryType, ProviderGuide } from './types.ts';

export const GUIDES: ProviderGuide[] = [generic];

export function guideFor(type: DirectoryType | string): ProviderGuide | undefined {
  return GUIDES.find((guide) => guide.type === type);
}
export type { DirectoryType, GuideField, GuideStep, ProviderGuide, AttributeMapping } from './types.ts';
