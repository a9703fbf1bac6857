import { asNumber, asString, blocks } from '../json';
import { defineRule, finding, resources } from '../rule';

/**
 * With a hop limit of 1 the metadata service's token reply dies at the first hop, so a bridge-mode
 * container cannot get a token. (Host-mode containers share the host's namespace: the boot script's
 * iptables rule keeps non-root processes away from the metadata service for them.)
 */
export const imdsHopLimitOne = defineRule({
  id: 'imds-hop-limit-one',
  title: 'Instance metadata hop limit is 1',
  severity: 'error',
  checkov: ['CKV_AWS_341'],
  trivy: [],
  description:
    'Launch templates, launch configurations and instances set metadata_options.http_put_response_hop_limit to 1 explicitly: left unset, the AMI decides (Amazon Linux 2023 images use 2, which lets bridge-mode containers reach the instance role).',
  remedy: 'set metadataOptions.httpPutResponseHopLimit to 1 in the launch template (stacks/cluster.ts)',
  subjects: resources('aws_launch_template', 'aws_launch_configuration', 'aws_instance'),
  check(subject) {
    const options = blocks(subject.attributes.metadata_options)[0];
    if (asString(options?.http_endpoint) === 'disabled') return [];
    const limit = asNumber(options?.http_put_response_hop_limit);
    if (limit === 1) return [];
    return [finding(subject, `metadata_options.http_put_response_hop_limit is ${limit ?? 'unset (the AMI decides)'}`)];
  },
});
