import { Rule } from '../rule';
import { sshNotOpenToWorld } from './ssh-not-open-to-world';
import { publicIngressOnlyWebPorts } from './public-ingress-only-web-ports';
import { loadBalancerListenersOnlyWebPorts } from './load-balancer-listeners-only-web-ports';
import { loadBalancerHasSecurityGroup } from './load-balancer-has-security-group';
import { loadBalancerHealthCheckDeep } from './load-balancer-health-check-deep';
import { securityGroupsDescribed } from './security-groups-described';
import { defaultSecurityGroupClosed } from './default-security-group-closed';
import { subnetsNoPublicIpOnLaunch } from './subnets-no-public-ip-on-launch';
import { imdsv2Required } from './imdsv2-required';
import { imdsHopLimitOne } from './imds-hop-limit-one';
import { launchTemplateVolumesEncrypted } from './launch-template-volumes-encrypted';
import { noSecretsInUserData } from './no-secrets-in-user-data';
import { autoscalingUsesLaunchTemplate } from './autoscaling-uses-launch-template';
import { capacityProviderTerminationProtectionOff } from './capacity-provider-termination-protection-off';
import { containerInsightsEnabled } from './container-insights-enabled';
import { hostNetworkDeploymentMax100 } from './host-network-deployment-max-100';
import { deploymentCircuitBreakerRollback } from './deployment-circuit-breaker-rollback';
import { executionRoleNotTaskRole } from './execution-role-not-task-role';
import { noPrivilegedContainers } from './no-privileged-containers';
import { readOnlyRootFilesystem } from './read-only-root-filesystem';
import { nonRootUser } from './non-root-user';
import { containerHealthCheck } from './container-health-check';
import { containerStopTimeout } from './container-stop-timeout';
import { containerRestartPolicy } from './container-restart-policy';
import { noSecretsInContainerEnvironment } from './no-secrets-in-container-environment';
import { ecrScanOnPush } from './ecr-scan-on-push';
import { ecrTagsImmutable } from './ecr-tags-immutable';
import { ecrLifecyclePolicy } from './ecr-lifecycle-policy';
import { efsEncryptedAtRest } from './efs-encrypted-at-rest';
import { efsVolumeTransitEncryption } from './efs-volume-transit-encryption';
import { efsVolumeIamAuthorization } from './efs-volume-iam-authorization';
import { efsAccessPointRootDirectory } from './efs-access-point-root-directory';
import { efsBackupEnabled } from './efs-backup-enabled';
import { logGroupRetention } from './log-group-retention';
import { noWildcardIamActions } from './no-wildcard-iam-actions';
import { noWildcardIamResources } from './no-wildcard-iam-resources';
import { iamTrustNamesPrincipals } from './iam-trust-names-principals';
import { noCredentialsInProvider } from './no-credentials-in-provider';

/**
 * Every policy rule, in the order the output lists them (network, instance, cluster and services,
 * containers, registry, storage, logs, IAM). Adding a rule: one module in this folder, one line here.
 */
export const RULES: readonly Rule[] = [
  sshNotOpenToWorld,
  publicIngressOnlyWebPorts,
  loadBalancerListenersOnlyWebPorts,
  loadBalancerHasSecurityGroup,
  loadBalancerHealthCheckDeep,
  securityGroupsDescribed,
  defaultSecurityGroupClosed,
  subnetsNoPublicIpOnLaunch,
  imdsv2Required,
  imdsHopLimitOne,
  launchTemplateVolumesEncrypted,
  noSecretsInUserData,
  autoscalingUsesLaunchTemplate,
  capacityProviderTerminationProtectionOff,
  containerInsightsEnabled,
  hostNetworkDeploymentMax100,
  deploymentCircuitBreakerRollback,
  executionRoleNotTaskRole,
  noPrivilegedContainers,
  readOnlyRootFilesystem,
  nonRootUser,
  containerHealthCheck,
  containerStopTimeout,
  containerRestartPolicy,
  noSecretsInContainerEnvironment,
  ecrScanOnPush,
  ecrTagsImmutable,
  ecrLifecyclePolicy,
  efsEncryptedAtRest,
  efsVolumeTransitEncryption,
  efsVolumeIamAuthorization,
  efsAccessPointRootDirectory,
  efsBackupEnabled,
  logGroupRetention,
  noWildcardIamActions,
  noWildcardIamResources,
  iamTrustNamesPrincipals,
  noCredentialsInProvider,
];
