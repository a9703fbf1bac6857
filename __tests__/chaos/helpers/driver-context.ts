import type { ClientFactories } from '../../../chaos/adapters/aws-clients';

/** Clients that must never be used in these tests (no AWS traffic, ever). */
export const noClients: ClientFactories = {
  ecs: () => {
    throw new Error('no AWS in unit tests');
  },
  ec2: () => {
    throw new Error('no AWS in unit tests');
  },
  autoScaling: () => {
    throw new Error('no AWS in unit tests');
  },
  cloudWatch: () => {
    throw new Error('no AWS in unit tests');
  },
  ssm: () => {
    throw new Error('no AWS in unit tests');
  },
  sts: () => {
    throw new Error('no AWS in unit tests');
  },
};
