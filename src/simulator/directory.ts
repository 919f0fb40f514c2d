/**
 * The synthetic directory an IdP simulation provisions: deterministic for a seed, with realistic names,
 * emails, departments, titles, employee numbers, a manager hierarchy and overlapping groups of varied sizes.
 */

/** mulberry32: small, fast, and the same sequence on every platform for a seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const GIVEN = ['Ana', 'Bruno', 'Chen', 'Dana', 'Elif', 'Farah', 'Gus', 'Hana', 'Ivan', 'Jo', 'Kofi', 'Lena', 'Mateo', 'Nia', 'Omar', 'Priya', 'Quinn', 'Rosa', 'Sven', 'Tariq', 'Uma', 'Vera', 'Wei', 'Xóchitl', 'Yusuf', 'Zoë', 'Aoife', 'Björn', 'Chloé', 'Dmitri'];
const FAMILY = ['Silva', 'Okafor', 'Nguyen', 'Müller', 'García', 'Kowalski', "O'Brien", 'Tanaka', 'Haddad', 'Jensen', 'Rossi', 'Kim', 'Novak', 'Mensah', 'Larsen', 'Dubois', 'Patel', 'Cohen', 'Ivanova', 'Smith', 'Nakamura', 'Fernández', 'Bianchi', 'Schmidt'];
export const DEPARTMENTS = ['Engineering', 'Sales', 'Marketing', 'Finance', 'People', 'Support', 'Legal', 'Operations'];
const TITLES = ['Associate', 'Specialist', 'Senior Specialist', 'Lead', 'Manager', 'Director'];
const PROJECTS = ['Apollo', 'Borealis', 'Cobalt', 'Delta', 'Ember', 'Falcon', 'Granite', 'Harbor', 'Iris', 'Juniper'];

export interface SimUser {
  /** The IdP's own id for the user, sent as externalId. */
  key: string;
  userName: string;
  givenName: string;
  familyName: string;
  email: string;
  department: string;
  title: string;
  employeeNumber: string;
  /** The manager's key. */
  manager?: string;
  active: boolean;
}

export interface SimGroup {
  key: string;
  displayName: string;
  /** Member user keys. */
  members: Set<string>;
}

export interface SimDirectory {
  domain: string;
  users: Map<string, SimUser>;
  groups: Map<string, SimGroup>;
  random: () => number;
  /** Makes a new user (a joiner), not yet in `users`. */
  newUser(department?: string): SimUser;
}

export function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

export function generateDirectory(options: { users: number; groups: number; seed: number }): SimDirectory {
  const random = rng(options.seed);
  const domain = `sim${options.seed}.example.com`;
  const users = new Map<string, SimUser>();
  const heads = new Map<string, string>();
  let n = 0;
  const taken = new Set<string>();
  const newUser = (department = pick(random, DEPARTMENTS)): SimUser => {
    const i = n++;
    const givenName = pick(random, GIVEN);
    const familyName = pick(random, FAMILY);
    let local = `${givenName}.${familyName}`.normalize('NFD').replace(/[^A-Za-z.]/g, '').toLowerCase();
    if (taken.has(local)) local = `${local}${i}`;
    taken.add(local);
    const email = `${local}@${domain}`;
    const head = heads.get(department);
    return {
      key: `sim-${options.seed}-${String(i).padStart(6, '0')}`,
      userName: email,
      givenName,
      familyName,
      email,
      department,
      title: head ? pick(random, TITLES.slice(0, 5)) : 'Director',
      employeeNumber: String(100000 + i),
      ...(head ? { manager: head } : {}),
      active: true,
    };
  };
  for (let i = 0; i < options.users; i++) {
    const user = newUser();
    users.set(user.key, user);
    if (!heads.has(user.department)) heads.set(user.department, user.key);
  }
  const groups = new Map<string, SimGroup>();
  const all = [...users.values()];
  for (let g = 0; g < options.groups; g++) {
    const key = `simgroup-${options.seed}-${g}`;
    // Department groups first, then project groups of varied sizes that overlap them.
    if (g < DEPARTMENTS.length) {
      const department = DEPARTMENTS[g]!;
      groups.set(key, { key, displayName: `${department} Team`, members: new Set(all.filter((u) => u.department === department).map((u) => u.key)) });
    } else {
      const size = Math.max(1, Math.floor(all.length * (0.05 + random() * 0.4)));
      const members = new Set<string>();
      while (members.size < Math.min(size, all.length)) members.add(pick(random, all).key);
      groups.set(key, { key, displayName: `Project ${PROJECTS[g % PROJECTS.length]} ${Math.floor(g / PROJECTS.length) + 1}`, members });
    }
  }
  return { domain, users, groups, random, newUser };
}
