import { createContext, useContext } from 'react';
import type { PortalSession } from './api.ts';

/** The signed-in portal session, for the pages that show its organization or its return links. */
export const SessionContext = createContext<PortalSession | undefined>(undefined);
export const usePortalSession = () => useContext(SessionContext);
