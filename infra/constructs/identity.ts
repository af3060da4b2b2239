/**
 * Identity: the Cognito user pool of clients, practitioners and staff, its groups (the roles of
 * shared/http/contract.ts) and the public client of the web and mobile frontends.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { type Role, roles } from '#shared/http/contract.ts';
import { acknowledge } from '../nag.ts';

export const GROUP_DESCRIPTIONS: Readonly<Record<Role, string>> = {
  client: 'Private individuals who book practitioners',
  practitioner: 'Wellness practitioners listed on the platform',
  moderator: 'Staff deciding on reports about reviews',
  support: 'Staff handling tickets and complaints',
  dpo: 'Data protection officer: rights requests, register of processing, legal holds',
};

export interface IdentityProps {
  /** Sender of Cognito's mails (verification codes), an address of a verified SES identity. */
  readonly mailFrom: string;
  readonly sesIdentity: string;
}

export class Identity extends Construct {
  readonly userPool: cognito.UserPool;
  readonly client: cognito.UserPoolClient;

  constructor(scope: Construct, id: string, props: IdentityProps) {
    super(scope, id);
    this.userPool = new cognito.UserPool(this, 'UserPool', {
      selfSignUpEnabled: true,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      // An email change takes effect only once the new address is verified.
      keepOriginal: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      userVerification: {
        emailStyle: cognito.VerificationEmailStyle.CODE,
        emailSubject: 'Mon Pro du Bien-Être : votre code de vérification',
        emailBody: 'Votre code de vérification Mon Pro du Bien-Être est {####}. Il expire dans 24 heures.',
      },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
        passwordHistorySize: 5,
      },
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false, email: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      email: cognito.UserPoolEmail.withSES({
        fromEmail: props.mailFrom,
        fromName: 'Mon Pro du Bien-Être',
        sesVerifiedDomain: props.mailFrom.endsWith(`@${props.sesIdentity}`) ? props.sesIdentity : undefined,
      }),
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    acknowledge(
      this.userPool,
      'AwsSolutions-COG2',
      'MFA is optional (TOTP) rather than required: most users are private individuals booking an appointment, for whom a mandatory authenticator app would bar access. Threat protection is enforced (Plus plan, adaptive authentication challenges risky sign-ins) and passwords are strong (12+ characters, all classes, history of 5).',
    );

    // What threat protection does, explicitly: refuse known-compromised passwords; challenge a
    // medium-risk sign-in with MFA when the user has set it up; block a high-risk one.
    new cognito.CfnUserPoolRiskConfigurationAttachment(this, 'ThreatProtection', {
      userPoolId: this.userPool.userPoolId,
      clientId: 'ALL',
      compromisedCredentialsRiskConfiguration: { actions: { eventAction: 'BLOCK' } },
      accountTakeoverRiskConfiguration: {
        actions: {
          lowAction: { eventAction: 'NO_ACTION', notify: false },
          mediumAction: { eventAction: 'MFA_IF_CONFIGURED', notify: false },
          highAction: { eventAction: 'BLOCK', notify: false },
        },
      },
    });

    for (const role of roles) {
      new cognito.CfnUserPoolGroup(this, `${role}Group`, {
        userPoolId: this.userPool.userPoolId,
        groupName: role,
        description: GROUP_DESCRIPTIONS[role],
      });
    }

    this.client = this.userPool.addClient('WebClient', {
      generateSecret: false,
      authFlows: { userSrp: true },
      disableOAuth: true,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    });
  }
}
