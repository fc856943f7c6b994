import type { Deps } from '../deps';
import type { DispatchPackage } from './contract';
import { getDispatchPackage } from '../letters';

/** The one door to the letters feature: everything dispatch knows about a letter comes through here. */
export function loadDispatchPackage(deps: Deps, letterId: number): Promise<DispatchPackage> {
  return getDispatchPackage(deps, letterId);
}
