import { Construct } from 'constructs';
import { TerraformOutput, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { EnvironmentConfig, availabilityZonesOf } from './config';
import { Network } from './network';
import { SecurityGroups } from './security-groups';
import { Registry } from './registry';
import { Cluster } from './cluster';
import { CertificateStorage } from './certificate-storage';
import { Logs } from './logs';
import { TaskRoles } from './task-roles';
import { PlatformService } from './platform-service';
import { Dns } from './dns';
import { LoadBalancer } from './load-balancer';
import { ContainerSpec } from './container-definition';
import {
  CERTIFICATE_MOUNT_PATH,
  copyHealthCheckCommand,
  PROXY_HTTPS_PORT,
  SERVICES,
  SERVICE_NAMES,
  ServiceCopy,
  ServiceName,
  serviceCopies,
  userIds,
} from '../contract/services';
import { AwsOutputs } from '../contract/outputs';
import { ChaosOperator } from './chaos-operator';
import { PolicyAspect } from './policy/policy-aspect';
import { PLATFORM_SUPPRESSIONS } from './policy/suppressions';
import { Suppression } from './policy/suppression';
import { configureStateBackend } from './state';

export interface PlatformStackProps {
  /** The validated environment this stack deploys. */
  readonly env: EnvironmentConfig;
  /**
   * Accepted policy findings, each with its reason (see stacks/policy).
   * @default PLATFORM_SUPPRESSIONS (stacks/policy/suppressions.ts)
   */
  readonly policySuppressions?: readonly Suppression[];
}

const CERTIFICATE_VOLUME = 'certificates';

/**
 * Output values as the stack emits them: the AWS outputs' shape, every field named, where strings
 * may be tokens; an optional field the stack's shape does not have is undefined and not emitted.
 */
type OutputValues = { readonly [K in keyof Required<AwsOutputs>]: AwsOutputs[K] };

/** The whole platform for one environment: network, registry, cluster, certificates, three services. */
export class PlatformStack extends TerraformStack {
  /** Copy 1 of each service (the one whose names the service kept from before copies). */
  readonly services: Readonly<Record<ServiceName, PlatformService>>;
  /** Every copy of each service, copy 1 first. */
  readonly copies: Readonly<Record<ServiceName, readonly PlatformService[]>>;
  readonly cluster: Cluster;
  /** The fleet's network load balancer (instanceCount > 1); undefined with one instance. */
  readonly loadBalancer: LoadBalancer | undefined;
  /** The security policy: checked at synth, where an unsuppressed error finding stops it. */
  readonly policy: PolicyAspect;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id);
    const env = props.env;
    const namePrefix = `platform-${env.name}`;
    this.policy = PolicyAspect.enforce(this, { suppressions: props.policySuppressions ?? PLATFORM_SUPPRESSIONS });

    configureStateBackend(this, env);
    new AwsProvider(this, 'aws', {
      region: env.region,
      // Terraform stops before any change when the credentials belong to another account.
      allowedAccountIds: env.allowedAccountIds,
      defaultTags: [{ tags: { 'platform:environment': env.name, 'managed-by': 'cdktf', ...env.tags } }],
    });
    const partition = new DataAwsPartition(this, 'partition').partition;

    const network = new Network(this, 'network', {
      namePrefix,
      vpcCidr: env.vpcCidr,
      availabilityZones: availabilityZonesOf(env),
    });
    const subnetIds = network.subnets.map((s) => s.id);
    // One instance: today's shape, its Elastic IP the address. A fleet: every instance runs the proxy
    // and every copy (DAEMON services below), behind a network load balancer (README, "More than one
    // instance").
    const fleet = env.instanceCount > 1;
    const groups = new SecurityGroups(this, 'security-groups', {
      namePrefix,
      vpcId: network.vpc.id,
      sshCidrs: env.sshCidrs,
      ...(fleet ? { loadBalancer: true } : {}),
    });
    const balancerGroup = groups.loadBalancer;
    this.loadBalancer =
      balancerGroup === undefined
        ? undefined
        : new LoadBalancer(this, 'load-balancer', { namePrefix, vpcId: network.vpc.id, subnetIds, securityGroupId: balancerGroup.id });
    const registry = new Registry(this, 'registry', { namePrefix, keepTaggedImages: env.ecrKeepTaggedImages });
    this.cluster = new Cluster(this, 'cluster', {
      namePrefix,
      region: env.region,
      partition,
      instanceType: env.instanceType,
      rootVolumeGiB: env.rootVolumeGiB,
      subnetIds,
      ...(this.loadBalancer === undefined
        ? {}
        : { instanceCount: env.instanceCount, targetGroupArns: this.loadBalancer.targetGroups.map((g) => g.arn) }),
      instanceSecurityGroupId: groups.instance.id,
      sshKeyName: env.sshKeyName,
      containerStopTimeoutSeconds: Math.max(...SERVICE_NAMES.map((s) => SERVICES[s].stopTimeoutSeconds)),
    });
    const storage = new CertificateStorage(this, 'certificates', {
      namePrefix,
      subnetIds,
      securityGroupId: groups.fileSystem.id,
      owner: userIds(SERVICES.proxy.user),
    });
    const logs = new Logs(this, 'logs', { namePrefix, retentionDays: env.logRetentionDays });
    const roles = new TaskRoles(this, 'task-roles', {
      namePrefix,
      repositoryArns: SERVICE_NAMES.map((s) => registry.repositories[s].arn),
      logGroupArns: SERVICE_NAMES.map((s) => logs.groups[s].arn),
      fileSystemArn: storage.fileSystem.arn,
      accessPointArn: storage.accessPoint.arn,
    });

    const upstreams = (service: ServiceName): string =>
      serviceCopies(service, env.services[service].copies)
        .map((c) => `127.0.0.1:${c.port}`)
        .join(' ');
    const container = (name: ServiceName, extra: Partial<ContainerSpec> = {}): ContainerSpec => ({
      name: SERVICES[name].containerName,
      image: `${registry.repositories[name].repositoryUrl}:${env.imageTag}`,
      memoryMiB: env.services[name].memoryMiB ?? SERVICES[name].defaultMemoryMiB,
      cpuUnits: SERVICES[name].cpuLimitUnits,
      ports: [SERVICES[name].port],
      healthCheck: { command: SERVICES[name].healthCheckCommand },
      stopTimeoutSeconds: SERVICES[name].stopTimeoutSeconds,
      restartPolicy: { enabled: true, attemptPeriodSeconds: 60 },
      logs: { group: logs.groups[name].name, region: env.region, streamPrefix: name },
      user: SERVICES[name].user,
      capabilities: SERVICES[name].capabilities,
      ...extra,
    });
    const specs: Record<ServiceName, ContainerSpec> = {
      // It only writes to its tmpfs.
      frontend: container('frontend', {
        readonlyRootFilesystem: true,
        tmpfs: [{ path: '/tmp', sizeMiB: 16 }],
      }),
      // Loopback only: in host mode only the proxy (on the same host) should reach the API.
      api: container('api', { readonlyRootFilesystem: true, environment: { LISTEN_HOST: '127.0.0.1' } }),
      // uid 101 with NET_BIND_SERVICE alone (contract/services.ts): it binds ports 80 and 443 in the
      // host's network namespace and writes the rendered nginx config and the ACME state; everything
      // it writes that must last is on the file system, whose access point acts as that same user.
      proxy: container('proxy', {
        ports: [SERVICES.proxy.port, PROXY_HTTPS_PORT],
        environment: {
          DOMAIN: env.domain ?? '',
          ACME_EMAIL: env.acmeEmail ?? '',
          ACME_DIRECTORY: env.acmeDirectory,
          // Every copy's port, as the rehearsal's stack file gives them (rehearsal/stack-file.ts).
          API_UPSTREAM: upstreams('api'),
          FRONTEND_UPSTREAM: upstreams('frontend'),
        },
        mountPoints: [{ volume: CERTIFICATE_VOLUME, path: CERTIFICATE_MOUNT_PATH }],
      }),
    };

    const common = {
      namePrefix,
      clusterArn: this.cluster.cluster.arn,
      capacityProviderName: this.cluster.capacityProvider.name,
      executionRoleArn: roles.execution.arn,
    };
    const proxyExtra = {
      taskRoleArn: roles.proxy.arn,
      volumes: [
        {
          name: CERTIFICATE_VOLUME,
          efsVolumeConfiguration: {
            fileSystemId: storage.fileSystem.id,
            transitEncryption: 'ENABLED',
            authorizationConfig: { accessPointId: storage.accessPoint.id, iam: 'ENABLED' },
          },
        },
      ],
    };
    // One ECS service per copy, on the copy's own port. Copy 1 keeps the construct id (and so the
    // Terraform address and the names) of the single service before copies: adding a copy creates
    // one, it replaces nothing. Each copy depends on the one before and all but the last wait for
    // a steady state, so Terraform rolls a new image one copy at a time.
    const copySpec = (copy: ServiceCopy): ContainerSpec => {
      const spec = specs[copy.service];
      if (copy.service === 'proxy') return spec;
      return {
        ...spec,
        ports: [copy.port],
        healthCheck: { command: copyHealthCheckCommand(copy.service, copy.port) },
        environment: { ...spec.environment, PORT: String(copy.port) },
        logs: { ...spec.logs, streamPrefix: copy.name },
      };
    };
    const copiesOf = (service: ServiceName): PlatformService[] => {
      const copies = serviceCopies(service, env.services[service].copies);
      const made: PlatformService[] = [];
      for (const copy of copies) {
        const before = made[made.length - 1];
        made.push(
          new PlatformService(this, copy.name, {
            ...common,
            ...(service === 'proxy' ? proxyExtra : {}),
            copyName: copy.name,
            container: copySpec(copy),
            desiredCount: env.services[service].desiredCount,
            ...(fleet ? { daemon: true } : {}),
            waitForSteadyState: copy.copy < copies.length,
            dependsOn: [
              this.cluster.capacityProviders,
              ...(service === 'proxy' ? storage.mountTargets : []),
              ...(before === undefined ? [] : [before.service]),
            ],
          }),
        );
      }
      return made;
    };
    this.copies = { frontend: copiesOf('frontend'), api: copiesOf('api'), proxy: copiesOf('proxy') };
    const first = (service: ServiceName): PlatformService => {
      const copy = this.copies[service][0];
      if (copy === undefined) throw new Error(`${service} has no copy`);
      return copy;
    };
    this.services = { frontend: first('frontend'), api: first('api'), proxy: first('proxy') };

    const eip = this.cluster.eip;
    const balancer = this.loadBalancer?.balancer;
    // The platform's public name: the Elastic IP, or the balancer's DNS name (a fleet).
    const publicHost = balancer?.dnsName ?? eip?.publicIp;
    if (publicHost === undefined) throw new Error('PlatformStack: neither an Elastic IP nor a load balancer');
    if (env.domain !== undefined && env.hostedZoneId !== undefined) {
      new Dns(this, 'dns', {
        hostedZoneId: env.hostedZoneId,
        domain: env.domain,
        ...(balancer === undefined
          ? { publicIp: eip?.publicIp }
          : { loadBalancer: { dnsName: balancer.dnsName, zoneId: balancer.zoneId } }),
      });
    }

    const operator = new ChaosOperator(this, 'chaos-operator', {
      namePrefix,
      partition,
      region: env.region,
      clusterArn: this.cluster.cluster.arn,
      clusterName: this.cluster.cluster.name,
      // An ECS service's id is its ARN.
      serviceArns: SERVICE_NAMES.flatMap((s) => this.copies[s].map((c) => c.service.id)),
      instanceTag: this.cluster.instanceTag,
      trustedArns: env.chaosOperatorTrustedArns,
    });

    const serviceOutput = (name: ServiceName) => ({
      serviceName: this.services[name].service.name,
      containerName: SERVICES[name].containerName,
      port: SERVICES[name].port,
      healthPath: SERVICES[name].healthPath,
      taskFamily: this.services[name].taskDefinition.family,
      logGroup: logs.groups[name].name,
      copies: this.copies[name].map((copy, i) => ({
        serviceName: copy.service.name,
        containerName: SERVICES[name].containerName,
        port: SERVICES[name].copyPorts[i] ?? SERVICES[name].port,
        taskFamily: copy.taskDefinition.family,
      })),
    });
    const outputs: OutputValues = {
      target: 'aws',
      environment: env.name,
      region: env.region,
      clusterName: this.cluster.cluster.name,
      clusterArn: this.cluster.cluster.arn,
      services: { frontend: serviceOutput('frontend'), api: serviceOutput('api'), proxy: serviceOutput('proxy') },
      asgName: this.cluster.autoScalingGroup.name,
      publicIp: eip?.publicIp,
      publicUrl: env.domain !== undefined ? `https://${env.domain}` : `http://${publicHost}`,
      sshUser: 'ec2-user',
      // A fleet has no one host: the balancer's name is what the guards compare against, and host
      // faults go over SSM (hostAccess below).
      sshHost: publicHost,
      sshPort: 22,
      // SSH only where the config opened it (a key pair or CIDRs); otherwise Session Manager is the way
      // in. A fleet's sshHost is the balancer, which forwards no port 22: SSM, which names its instance.
      hostAccess: !fleet && (env.sshCidrs.length > 0 || env.sshKeyName !== undefined) ? 'ssh' : 'ssm',
      certificateVolume: storage.fileSystem.id,
      repositoryUrls: {
        frontend: registry.repositories.frontend.repositoryUrl,
        api: registry.repositories.api.repositoryUrl,
        proxy: registry.repositories.proxy.repositoryUrl,
      },
      imageTag: env.imageTag,
      chaosOperatorPolicyArn: operator.policy.arn,
      loadBalancerDnsName: balancer?.dnsName,
    };
    for (const [key, value] of Object.entries(outputs)) {
      if (value === undefined) continue;
      // Static ids: the output's name is exactly the PlatformOutputs key the chaos module reads.
      new TerraformOutput(this, key, { value }).overrideLogicalId(key);
    }
  }
}
