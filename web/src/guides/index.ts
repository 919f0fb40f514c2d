/** Every provider the portal offers, in the order it shows them. */
import { bamboohr } from './bamboohr.ts';
import { cyberark } from './cyberark.ts';
import { entra } from './entra.ts';
import { generic } from './generic.ts';
import { google } from './google.ts';
import { jumpcloud } from './jumpcloud.ts';
import { okta } from './okta.ts';
import { onelogin } from './onelogin.ts';
import { pingfederate } from './pingfederate.ts';
import { rippling } from './rippling.ts';
import { sailpoint } from './sailpoint.ts';
import { workday } from './workday.ts';
import type { DirectoryType, ProviderGuide } from './types.ts';

export const GUIDES: ProviderGuide[] = [
  okta,
  entra,
  google,
  jumpcloud,
  onelogin,
  pingfederate,
  rippling,
  cyberark,
  sailpoint,
  workday,
  bamboohr,
  generic,
];

export function guideFor(type: DirectoryType | string): ProviderGuide | undefined {
  return GUIDES.find((guide) => guide.type === type);
}
export type { DirectoryType, GuideField, GuideStep, ProviderGuide, AttributeMapping } from './types.ts';
