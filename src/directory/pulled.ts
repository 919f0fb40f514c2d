/** Directory types Guestlist pulls rather than receives over SCIM (API.md §8): they have no SCIM token. */
export const PULLED_TYPES = ['gsuite directory', 'workday', 'bamboohr'] as const;
export type PulledType = (typeof PULLED_TYPES)[number];

export const isPulled = (type: string): type is PulledType => (PULLED_TYPES as readonly string[]).includes(type);
