/** Seeded benchmark users: index j has id `directory_user_<j, 26 digits>` and userName `user<j>@bench.example.com`. */
export const seededId = (j: number) => `directory_user_${String(j).padStart(26, '0')}`;

/** In a filter template, `{i}` is the seeded user's index and `{id}` its id. */
export const fillFilter = (filter: string, j: number) => filter.replaceAll('{id}', seededId(j)).replaceAll('{i}', String(j));
