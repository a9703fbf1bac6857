import { z } from 'zod';

/**
 * What each name in the stack outputs may be. The outputs name what faults act on, and those names
 * end up in AWS API calls, in docker argv and in commands sent to a remote shell: so a field accepts
 * only what AWS or Docker would give it (never a shell metacharacter, whitespace or a leading "-",
 * always bounded), and an outputs file holding anything else is refused when it is read, before a
 * run, a dry run or a validation can use it. The patterns are the contract: the stack and the
 * rehearsal emit these forms, the chaos module trusts nothing else.
 */

const OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const IPV4 = `${OCTET}(?:\\.${OCTET}){3}`;
// Loose on purpose (hex digits, ":" and "."), but never more than an address can hold.
const IPV6 = '(?=[0-9A-Fa-f.]*:)[0-9A-Fa-f:.]{2,45}';
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const DNS_NAME = `(?:${LABEL}\\.)*${LABEL}`;
/** 127.0.0.0/8 in canonical dotted decimal, `::1` and `localhost`: this machine, however it is spelled here. */
const LOOPBACK = `(?:localhost|::1|127(?:\\.${OCTET}){3})`;
const LOOPBACK_IN_URL = `(?:localhost|\\[::1\\]|127(?:\\.${OCTET}){3})`;
const PORT = '(?::[0-9]{1,5})?';
const REGION = '[a-z]{2}(?:-[a-z]+){1,2}-[0-9]{1,2}';
const PARTITION = 'aws(?:-[a-z]+){0,2}';
const ECS = '[A-Za-z0-9][A-Za-z0-9_-]{0,254}';
const ECR_NAME = '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*';
const CLUSTER_ARN = `arn:(${PARTITION}):ecs:(${REGION}):([0-9]{12}):cluster/(${ECS})`;
const ASG = '[A-Za-z0-9][A-Za-z0-9_.-]{0,254}';

const whole = (source: string): RegExp => new RegExp(`^(?:${source})$`);
const named = (pattern: RegExp, allowed: string) => z.string().regex(pattern, `expected ${allowed}`);

/** ECS cluster, service, task definition family and container names, as the ECS API accepts them. */
export const ECS_NAME = whole(ECS);
/** Docker object names (containers, stacks, volumes): `[a-zA-Z0-9][a-zA-Z0-9_.-]*`, at most 255. */
export const DOCKER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/;
/** Swarm service names: Docker names of at most 63 characters (swarmkit's limit). */
export const SWARM_SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
export const AWS_REGION = whole(REGION);
/** `arn:<partition>:ecs:<region>:<account>:cluster/<name>`, its parts captured. */
export const ECS_CLUSTER_ARN = whole(CLUSTER_ARN);
/** `<account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repository>`, account and region captured. */
export const ECR_REPOSITORY_URL = whole(`(?=.{1,330}$)([0-9]{12})\\.dkr\\.ecr\\.(${REGION})\\.amazonaws\\.com(?:\\.cn)?/${ECR_NAME}`);
export const LOOPBACK_HOST = whole(LOOPBACK);

const ecsName = named(ECS_NAME, 'an ECS name: 1 to 255 letters, digits, "_" or "-", starting with a letter or digit');
const dockerName = named(DOCKER_NAME, 'a Docker name: 1 to 255 letters, digits, "_", "." or "-", starting with a letter or digit');
const label = named(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, '1 to 63 letters, digits, "_", "." or "-", starting with a letter or digit');
const asgName = 'an Auto Scaling group name: 1 to 255 letters, digits, "_", "." or "-", starting with a letter or digit';
const clusterArn = `an ECS cluster ARN (arn:aws:ecs:<region>:<12-digit account>:cluster/<ECS name>)`;
const repositoryUrl = 'an ECR repository URL (<12-digit account>.dkr.ecr.<region>.amazonaws.com/<repository>)';

/** The names every target's outputs hold in the same form. */
export const sharedNames = {
  environment: label,
  /** CloudWatch allows `[.\-_/#A-Za-z0-9]`; "#" (a shell comment) is refused too. */
  logGroup: named(
    /^[A-Za-z0-9_./][A-Za-z0-9_./-]{0,511}$/,
    'a log group name: 1 to 512 letters, digits, "_", ".", "/" or "-", not starting with "-"',
  ),
  /** A POSIX user name: sent as the SSH user, and shown in `user@host`. */
  sshUser: named(
    /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}$/,
    'a user name: 1 to 32 letters, digits, "_", "." or "-", not starting with "." or "-"',
  ),
  /** Sent in an HTTP request line on the host: no whitespace, no query, nothing a line could break on. */
  healthPath: named(
    /^\/[A-Za-z0-9._~%/-]{0,1023}$/,
    'a path starting with "/": letters, digits and "_", ".", "~", "%", "/", "-" (at most 1024)',
  ),
  /** A Docker tag, as the config's `imageTag` accepts it. */
  imageTag: named(
    /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/,
    'a Docker tag: 1 to 128 letters, digits, "_", "." or "-", not starting with "." or "-"',
  ),
};

/** What the stack emits for ECS on EC2. */
export const awsNames = {
  region: named(AWS_REGION, 'an AWS region such as eu-west-1'),
  clusterName: ecsName,
  clusterArn: named(ECS_CLUSTER_ARN, clusterArn),
  serviceName: ecsName,
  containerName: ecsName,
  taskFamily: ecsName,
  asgName: named(whole(ASG), asgName),
  publicIp: named(whole(`${IPV4}|${IPV6}`), 'an IPv4 or IPv6 address'),
  publicUrl: named(
    whole(`(?=.{1,2048}$)https?://(?:${DNS_NAME}|${IPV4}|\\[${IPV6}\\])${PORT}(?:[/?#][\\x21-\\x7e]*)?`),
    'an http(s) URL of a DNS name or an address, without user info or whitespace',
  ),
  sshHost: named(whole(`${IPV4}|${IPV6}|(?=.{1,253}$)${DNS_NAME}`), 'an IPv4 or IPv6 address or a DNS name'),
  loadBalancerDnsName: named(whole(`(?=.{1,253}$)${DNS_NAME}`), 'a DNS name'),
  certificateVolume: named(/^fs-[0-9a-f]{8,40}$/, 'an EFS file system id (fs-<hex>)'),
  repositoryUrl: named(ECR_REPOSITORY_URL, repositoryUrl),
  iamPolicyArn: named(
    whole(`arn:${PARTITION}:iam::[0-9]{12}:policy/(?:[A-Za-z0-9+=,.@_-]{1,128}/){0,8}[A-Za-z0-9+=,.@_-]{1,128}`),
    'an IAM policy ARN (arn:aws:iam::<12-digit account>:policy/<name>)',
  ),
};

const thisMachine = '127.0.0.0/8, ::1 or localhost (a local target never names another machine)';

/**
 * What the rehearsal writes for its single-node swarm: Docker names, the swarm's ids where AWS has
 * ARNs, and only this machine for every address (a local target that named another host could
 * send a fault anywhere).
 */
export const localNames = {
  region: named(whole(`local|${REGION}`), '"local" or an AWS region'),
  clusterName: dockerName,
  clusterArn: named(whole(`swarm:[a-z0-9]{1,64}|${CLUSTER_ARN}`), `swarm:<cluster id> or ${clusterArn}`),
  serviceName: named(SWARM_SERVICE_NAME, 'a swarm service name: 1 to 63 letters, digits, "_", "." or "-", starting with a letter or digit'),
  containerName: dockerName,
  taskFamily: dockerName,
  asgName: named(whole(`swarm-node:[a-z0-9]{1,64}|${ASG}`), `swarm-node:<node id> or ${asgName}`),
  publicIp: named(LOOPBACK_HOST, thisMachine),
  publicUrl: named(
    whole(`(?=.{1,2048}$)https?://${LOOPBACK_IN_URL}${PORT}(?:[/?#][\\x21-\\x7e]*)?`),
    `an http(s) URL of ${thisMachine.replace('::1', '[::1]')}`,
  ),
  sshHost: named(LOOPBACK_HOST, thisMachine),
  certificateVolume: dockerName,
  repositoryUrl: named(
    whole(`(?=.{1,255}$)(?:[A-Za-z0-9.-]+(?::[0-9]{1,5})?/)?${ECR_NAME}`),
    'an image repository ([<registry>/]<lower-case name>[/<name>…])',
  ),
  /**
   * A word of the command restarting the rehearsal's engine: an absolute path, or a word of the
   * characters a path holds (it reaches the host's shell, quoted, but checked first anyway).
   */
  runtimeRestartWord: named(
    whole('(?=.{1,1024}$)[A-Za-z0-9_./=:@+,%~][A-Za-z0-9_./=:@+,%~-]*'),
    'a command word (letters, digits and "_./=:@+,%~-", not starting with "-")',
  ),
  /** `unix://` and an absolute socket path (at most 107 bytes, the kernel's limit), or `tcp://` to this machine. */
  dockerHost: named(
    whole(`unix://(?=/.{0,106}$)/[A-Za-z0-9_.@+=,%~/-]*|tcp://${LOOPBACK_IN_URL}${PORT}/?`),
    `unix:///<socket path> (letters, digits and "_.@+=,%~/-") or tcp:// to ${thisMachine.replace('::1', '[::1]')}`,
  ),
};
