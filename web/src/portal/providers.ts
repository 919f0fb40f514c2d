/**
 * The twelve providers the portal offers and their guides: nine that push SCIM, the generic SCIM choice, and
 * the three Guestlist pulls (Google Workspace, Workday, BambooHR). A provider whose guide is not written yet gets the
 * generic SCIM guide under its own name, so every card leads somewhere useful.
 */
import { GUIDES, guideFor, type DirectoryType, type ProviderGuide } from '../guides/index.ts';
import { generic } from '../guides/generic.ts';
import { isPulled } from '../lib/types.ts';

export interface Provider {
  type: DirectoryType;
  slug: string;
  name: string;
}

const PROVIDERS: Provider[] = [
  { type: 'okta scim v2.0', slug: 'okta', name: 'Okta' },
  { type: 'azure scim v2.0', slug: 'entra', name: 'Microsoft Entra ID' },
  { type: 'gsuite directory', slug: 'google', name: 'Google Workspace' },
  { type: 'onelogin scim v2.0', slug: 'onelogin', name: 'OneLogin' },
  { type: 'jump cloud scim v2.0', slug: 'jumpcloud', name: 'JumpCloud' },
  { type: 'pingfederate scim v2.0', slug: 'pingfederate', name: 'PingFederate' },
  { type: 'rippling scim v2.0', slug: 'rippling', name: 'Rippling' },
  { type: 'cyberark scim v2.0', slug: 'cyberark', name: 'CyberArk' },
  { type: 'sailpoint scim v2.0', slug: 'sailpoint', name: 'SailPoint' },
  { type: 'workday', slug: 'workday', name: 'Workday' },
  { type: 'bamboohr', slug: 'bamboohr', name: 'BambooHR' },
  { type: 'generic scim v2.0', slug: 'generic', name: 'Other SCIM 2.0 provider' },
];

export interface ResolvedProvider extends Provider {
  guide: ProviderGuide;
  /** False when the generic guide stands in for one not written yet. */
  dedicated: boolean;
}

/**
 * Stands in for the guide of a pulled provider until it is written: such a provider does not push SCIM, so the
 * generic SCIM steps would be wrong there. Ends in the connection form, as the written guides do.
 */
const PULLED: Omit<ProviderGuide, 'type' | 'slug' | 'name'> = {
  summary: 'Guestlist reads your users and groups through the provider\'s API with credentials you paste here.',
  sources: [],
  scim: false,
  steps: [
    {
      title: 'Enter the API credentials',
      body: ["Enter the provider's API credentials below. They are stored encrypted and never shown again."],
      fields: ['connection'],
    },
    {
      title: 'Wait for the first sync',
      body: ['Once the first sync has run, this page shows it as **Linked**, with the number of users and groups read.'],
    },
  ],
  attributeMappings: [],
  tips: [],
};

function resolve(provider: Provider): ResolvedProvider {
  const guide = guideFor(provider.type);
  if (guide) return { ...provider, name: guide.name, guide, dedicated: true };
  const standIn = isPulled(provider.type) ? PULLED : generic;
  return { ...provider, guide: { ...standIn, type: provider.type, slug: provider.slug, name: provider.name }, dedicated: false };
}

/** In the guides' own order, then any provider without a guide yet; the generic SCIM choice last. */
export function providers(): ResolvedProvider[] {
  const rank = (p: Provider) => (p.type === 'generic scim v2.0' ? 1e6 : GUIDES.findIndex((g) => g.type === p.type) + 1 || 1000);
  return PROVIDERS.map(resolve).sort((a, b) => rank(a) - rank(b));
}

export function providerBySlug(slug: string): ResolvedProvider | undefined {
  const known = PROVIDERS.find((p) => p.slug === slug) ?? PROVIDERS.find((p) => guideFor(p.type)?.slug === slug);
  return known && resolve(known);
}

export function providerByType(type: string): ResolvedProvider {
  const known = PROVIDERS.find((p) => p.type === type);
  return known ? resolve(known) : { ...resolve(PROVIDERS[PROVIDERS.length - 1]!), type: type as DirectoryType };
}
