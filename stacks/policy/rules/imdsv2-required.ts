import { asString, blocks } from '../json';
import { defineRule, finding, resources } from '../rule';

/** A request to the instance metadata service must carry a session token (IMDSv2): SSRF cannot forge a PUT. */
export const imdsv2Required = defineRule({
  id: 'imdsv2-required',
  title: 'Instance metadata requires IMDSv2 session tokens',
  severity: 'error',
  checkov: ['CKV_AWS_79'],
  trivy: ['AVD-AWS-0028', 'AVD-AWS-0130'],
  description:
    'Launch templates, launch configurations and instances set metadata_options.http_tokens = "required" (or switch the endpoint off). A server-side request forgery in a container can then not read the instance role\'s credentials with a plain GET.',
  remedy: 'set metadataOptions.httpTokens to "required" in the launch template (stacks/cluster.ts)',
  subjects: resources('aws_launch_template', 'aws_launch_configuration', 'aws_instance'),
  check(subject) {
    const options = blocks(subject.attributes.metadata_options)[0];
    if (asString(options?.http_endpoint) === 'disabled') return [];
    const tokens = asString(options?.http_tokens);
    if (tokens === 'required') return [];
    return [
      finding(subject, `metadata_options.http_tokens is ${tokens === undefined ? 'unset' : `"${tokens}"`}: IMDSv1 answers without a token`),
    ];
  },
});
