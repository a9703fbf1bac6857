import type { Fault } from '../../faults/types';
import { acmeBlockDirectory } from './block-directory';
import { acmeForceRenewal } from './force-renewal';
import { acmeRenewalStatus } from './renewal-status';

/** The acme driver's modules: the proxy's certificate renewal and its CA. */
export const acmeFaults: readonly Fault[] = [acmeBlockDirectory, acmeForceRenewal, acmeRenewalStatus];
