/**
 * Identity: the Cognito user pool of clients, practitioners and staff, its groups (the roles of
 * shared/http/contract.ts) and the public client of the web and mobile frontends. The pool keeps
 * the identity (names, email, phone, password) and the terms accepted at sign-up. It lives in the
 * data stack with its triggers (the catalogue entries with `identity.trigger`): the pool names
 * its trigger functions, so a trigger in another stack would make the data stack depend on a
 * stack that depends on it. The other identity functions only name the pool (their environment
 * and grants come from their entry: infra/constructs/functions.ts).
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { cguVersionPattern, verificationEmail } from '#functions/accounts/contract.ts';
import type { FunctionDefinition, IdentityTrigger } from '#functions/catalogue.ts';
import { type Role, roles } from '#shared/http/contract.ts';
import { acknowledge } from '../nag.ts';
import type { BackendFunction } from './functions.ts';

export const GROUP_DESCRIPTIONS: Readonly<Record<Role, string>> = {
  client: 'Private individuals who book practitioners',
  practitioner: 'Wellness practitioners listed on the platform',
  moderator: 'Staff deciding on reports about reviews',
  support: 'Staff handling tickets and complaints',
  dpo: 'Data protection officer: rights requests, register of processing, legal holds',
};

const OPERATIONS: Readonly<Record<IdentityTrigger, cognito.UserPoolOperation>> = {
  PreSignUp: cognito.UserPoolOperation.PRE_SIGN_UP,
  PostConfirmation: cognito.UserPoolOperation.POST_CONFIRMATION,
};

export interface IdentityProps {
  /** Sender of Cognito's mails (verification codes), an address of a verified SES identity. */
  readonly mailFrom: string;
  readonly sesIdentity: string;
  /** The CGU version a sign-up must accept (context `cguVersion`). */
  readonly cguVersion: string;
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
      standardAttributes: {
        email: { required: true, mutable: true },
        givenName: { required: true, mutable: true },
        familyName: { required: true, mutable: true },
        phoneNumber: { required: false, mutable: true },
      },
      // Set once at sign-up, never by the person afterwards (functions/accounts/contract.ts).
      customAttributes: {
        cgu_version: new cognito.StringAttribute({ minLen: 1, maxLen: 32, mutable: false }),
        account_type: new cognito.StringAttribute({ minLen: 1, maxLen: 16, mutable: false }),
      },
      userVerification: {
        emailStyle: cognito.VerificationEmailStyle.CODE,
        emailSubject: verificationEmail.subject,
        emailBody: verificationEmail.body,
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

    // What a frontend may read and write of a user; staff groups and the verification flags are
    // not among the writable ones, and the custom attributes are immutable after sign-up.
    const standard = { email: true, givenName: true, familyName: true, phoneNumber: true };
    const custom = ['cgu_version', 'account_type'];
    this.client = this.userPool.addClient('WebClient', {
      readAttributes: new cognito.ClientAttributes()
        .withStandardAttributes({ ...standard, emailVerified: true, phoneNumberVerified: true })
        .withCustomAttributes(...custom),
      writeAttributes: new cognito.ClientAttributes().withStandardAttributes(standard).withCustomAttributes(...custom),
      generateSecret: false,
      authFlows: { userSrp: true },
      disableOAuth: true,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    });

    if (!cguVersionPattern.test(props.cguVersion)) throw new Error(`cguVersion ${props.cguVersion} is not a version`);
  }

  /** Wires a catalogue entry's trigger function to the pool (Cognito may invoke it for this pool only). */
  addCatalogueTrigger(definition: FunctionDefinition, fn: BackendFunction): void {
    const trigger = definition.identity?.trigger;
    if (!trigger) throw new Error(`${definition.entry} is not a user pool trigger`);
    this.userPool.addTrigger(OPERATIONS[trigger], fn.function);
  }
}
