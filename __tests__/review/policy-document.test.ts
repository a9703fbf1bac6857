import { policyDocumentJson } from '../../review/policy-document';

const resolve = (text: string) =>
  text === '${aws_efs_file_system.f.arn}' ? 'arn:aws:elasticfilesystem:eu-west-1:1:file-system/fs-1' : undefined;

describe('policyDocumentJson', () => {
  it('builds the document the provider would: lists of one as strings, principals and conditions by type and test', () => {
    const json = policyDocumentJson(
      {
        '//': { metadata: {} },
        statement: [
          {
            sid: 'Mount',
            effect: 'Allow',
            actions: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
            resources: ['${aws_efs_file_system.f.arn}'],
            condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['true'] }],
          },
          { actions: ['sts:AssumeRole'], principals: [{ type: 'Service', identifiers: ['ec2.amazonaws.com'] }] },
        ],
      },
      resolve,
    );
    expect(JSON.parse(json ?? 'null')).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'Mount',
          Effect: 'Allow',
          Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
          Resource: 'arn:aws:elasticfilesystem:eu-west-1:1:file-system/fs-1',
          Condition: { Bool: { 'aws:SecureTransport': 'true' } },
        },
        { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'ec2.amazonaws.com' } },
      ],
    });
  });

  it('leaves to the plans what it does not handle: an unresolved value, source documents', () => {
    expect(policyDocumentJson({ statement: [{ actions: ['s3:*'], resources: ['${aws_nope.n.arn}'] }] }, resolve)).toBeUndefined();
    expect(policyDocumentJson({ source_policy_documents: ['{}'], statement: [] }, resolve)).toBeUndefined();
  });
});
