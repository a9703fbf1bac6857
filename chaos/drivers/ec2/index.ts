import type { Fault } from '../../faults/types';
import { ec2RebootInstance } from './reboot-instance';
import { ec2TerminateInstance } from './terminate-instance';

/** The EC2 driver's modules. */
export const ec2Faults: readonly Fault[] = [ec2RebootInstance, ec2TerminateInstance];
