/**
 * The web application firewall of the API: a regional WAF v2 web ACL associated with the API
 * stage, with per-IP rate limits and AWS managed rule groups, logging only the requests it blocks
 * or counts (with the credentials redacted) into an encrypted, expiring log group.
 */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { CONNECTION_LOG_DAYS } from '../retention.ts';
import type { OperationalLogs } from './logs.ts';

/** Requests per IP address within the evaluation window before WAF blocks the address. */
export const RATE_LIMITS = {
  evaluationWindowSeconds: 300,
  /** Every request. */
  allRequestsPerIp: 1000,
  /** Requests that write (POST, PUT, PATCH, DELETE): the contact form, bookings, payments… */
  writesPerIp: 100,
} as const;

/** AWS managed rule groups, in evaluation order. */
export const MANAGED_RULE_GROUPS = [
  'AWSManagedRulesAmazonIpReputationList',
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
] as const;

export interface WebFirewallProps {
  /** The API Gateway stage to protect. */
  readonly stage: apigateway.Stage;
  readonly logs: OperationalLogs;
}

function visibility(metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty {
  return { cloudWatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true };
}

export class WebFirewall extends Construct {
  readonly webAcl: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: WebFirewallProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const rules: wafv2.CfnWebACL.RuleProperty[] = [
      {
        name: 'rate-limit-per-ip',
        priority: 0,
        action: { block: {} },
        statement: {
          rateBasedStatement: {
            aggregateKeyType: 'IP',
            limit: RATE_LIMITS.allRequestsPerIp,
            evaluationWindowSec: RATE_LIMITS.evaluationWindowSeconds,
          },
        },
        visibilityConfig: visibility('rate-limit-per-ip'),
      },
      {
        name: 'rate-limit-writes-per-ip',
        priority: 1,
        action: { block: {} },
        statement: {
          rateBasedStatement: {
            aggregateKeyType: 'IP',
            limit: RATE_LIMITS.writesPerIp,
            evaluationWindowSec: RATE_LIMITS.evaluationWindowSeconds,
            scopeDownStatement: {
              notStatement: {
                statement: {
                  regexMatchStatement: {
                    fieldToMatch: { method: {} },
                    regexString: '^(GET|HEAD|OPTIONS)$',
                    textTransformations: [{ priority: 0, type: 'NONE' }],
                  },
                },
              },
            },
          },
        },
        visibilityConfig: visibility('rate-limit-writes-per-ip'),
      },
      ...MANAGED_RULE_GROUPS.map(
        (name, index): wafv2.CfnWebACL.RuleProperty => ({
          name,
          priority: 10 + index,
          overrideAction: { none: {} },
          statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
          visibilityConfig: visibility(name),
        }),
      ),
    ];

    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      description: 'Protects the public REST API',
      defaultAction: { allow: {} },
      rules,
      visibilityConfig: visibility('api-web-acl'),
    });

    const association = new wafv2.CfnWebACLAssociation(this, 'StageAssociation', {
      resourceArn: props.stage.stageArn,
      webAclArn: this.webAcl.attrArn,
    });
    // The stage ARN is built from names, not from the stage resource: wait for the stage.
    association.node.addDependency(props.stage);

    // WAF only logs into groups whose name starts with aws-waf-logs-. Logs hold IP addresses: they
    // keep only blocked or counted requests, and never the credentials a request carried.
    const wafLogs = props.logs.logGroup(this, 'Logs', {
      logGroupName: `aws-waf-logs-${stack.stackName}`,
      maxDays: CONNECTION_LOG_DAYS,
    });
    const logging = new wafv2.CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.attrArn,
      // WAF wants the log group ARN without the `:*` suffix of its Arn attribute.
      logDestinationConfigs: [
        stack.formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: wafLogs.logGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
      redactedFields: [{ singleHeader: { Name: 'authorization' } }, { singleHeader: { Name: 'cookie' } }],
      loggingFilter: {
        DefaultBehavior: 'DROP',
        Filters: [
          {
            Behavior: 'KEEP',
            Requirement: 'MEETS_ANY',
            Conditions: [{ ActionCondition: { Action: 'BLOCK' } }, { ActionCondition: { Action: 'COUNT' } }],
          },
        ],
      },
    });
    logging.node.addDependency(wafLogs);
  }

  /** Puts another regional resource behind the web ACL (the user pool: sign-up, sign-in, password flows). */
  protect(id: string, resourceArn: string): wafv2.CfnWebACLAssociation {
    return new wafv2.CfnWebACLAssociation(this, id, { resourceArn, webAclArn: this.webAcl.attrArn });
  }
}
