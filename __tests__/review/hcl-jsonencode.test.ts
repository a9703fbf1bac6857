import { evaluateBase64encode, evaluateJsonencode } from '../../review/hcl-jsonencode';

const state: Record<string, string | number> = {
  'aws_ecr_repository.r.repository_url': '123456789012.dkr.ecr.eu-west-1.amazonaws.com/api',
  'aws_cloudwatch_log_group.l.name': '/platform/api',
  'aws_x.y.port': 8080,
};
const lookup = (type: string, name: string, attr: string) => state[`${type}.${name}.${attr}`];

describe('evaluateJsonencode', () => {
  it("gives Terraform's text for cdktf's jsonencode of a literal: keys sorted, references from the state", () => {
    const text =
      '${jsonencode([{"name" = "api", "image" = "${aws_ecr_repository.r.repository_url}:latest", "essential" = true, ' +
      '"memory" = 128, "ratio" = -1.5, "none" = null, "port" = aws_x.y.port, "command" = ["CMD", "a \\"b\\"\\n", "$${HOME}"], ' +
      '"logConfiguration" = {"options" = {"awslogs-group" = aws_cloudwatch_log_group.l.name, "url" = "http://a/?x=1&y=<2>"}}}])}';
    expect(evaluateJsonencode(text, lookup)).toBe(
      '[{"command":["CMD","a \\"b\\"\\n","${HOME}"],"essential":true,' +
        '"image":"123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:latest",' +
        '"logConfiguration":{"options":{"awslogs-group":"/platform/api","url":"http://a/?x=1\\u0026y=\\u003c2\\u003e"}},' +
        '"memory":128,"name":"api","none":null,"port":8080,"ratio":-1.5}]',
    );
  });

  it('leaves other functions, unknown references and other expressions to the consistency plans', () => {
    expect(evaluateJsonencode('${jsonencode({"a" = upper("x")})}', lookup)).toBeUndefined();
    expect(evaluateJsonencode('${jsonencode({"a" = aws_nope.n.id})}', lookup)).toBeUndefined();
    expect(evaluateJsonencode('${jsonencode({"a" = "${aws_x.y.port + 1}"})}', lookup)).toBeUndefined();
    expect(evaluateJsonencode('${jsonencode({"a" = "%{if true}x%{endif}"})}', lookup)).toBeUndefined();
    expect(evaluateJsonencode('${base64encode("x")}', lookup)).toBeUndefined();
  });

  it('base64-encodes a template with references (user data)', () => {
    const text = '${base64encode("#!/bin/bash\\nLOG=${aws_cloudwatch_log_group.l.name} $${HOME}\\n")}';
    expect(Buffer.from(evaluateBase64encode(text, lookup) ?? '', 'base64').toString('utf8')).toBe(
      '#!/bin/bash\nLOG=/platform/api ${HOME}\n',
    );
    expect(evaluateBase64encode('${base64encode(aws_nope.n.id)}', lookup)).toBeUndefined();
  });
});
