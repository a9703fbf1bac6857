import { Construct } from 'constructs';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { SERVICE_NAMES, ServiceName } from '../contract/services';

export interface LogsProps {
  readonly namePrefix: string;
  /** Days CloudWatch keeps log events (one of CloudWatch's allowed periods, checked by the config). */
  readonly retentionDays: number;
}

/** One log group per service, with a retention period so logs never pile up unbounded. */
export class Logs extends Construct {
  readonly groups: Readonly<Record<ServiceName, CloudwatchLogGroup>>;

  constructor(scope: Construct, id: string, props: LogsProps) {
    super(scope, id);
    this.groups = Object.fromEntries(
      SERVICE_NAMES.map((name) => [
        name,
        new CloudwatchLogGroup(this, name, { name: `/${props.namePrefix}/${name}`, retentionInDays: props.retentionDays }),
      ]),
    ) as Record<ServiceName, CloudwatchLogGroup>;
  }
}
