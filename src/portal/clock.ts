/** The time, as the portal's services read it: injectable, so tests can move it. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();
