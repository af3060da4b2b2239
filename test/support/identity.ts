/**
 * People with real Cognito emulator tokens, made the way frontends make them: sign-up with the
 * CGU in force, the code read from the SES emulator (where the mail bridge delivers Cognito's
 * codes), confirmation (the PostConfirmation trigger opens the account), then staff groups added
 * by an administrator, then sign-in for an ID token carrying the groups.
 */
import { randomUUID } from 'node:crypto';
import {
  AdminAddUserToGroupCommand,
  ConfirmSignUpCommand,
  InitiateAuthCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { DEFAULT_CGU_VERSION, signUpAttributes, verificationEmail } from '#functions/accounts/contract.ts';
import { localCognitoClient } from '#local/services/cognito.ts';
import type { Role } from '#shared/http/contract.ts';
import type { CloudInfo } from './local-cloud.ts';
import { waitForMail } from './mail.ts';

export interface Person {
  readonly email: string;
  readonly accountId: string;
  readonly idToken: string;
}

const PASSWORD = 'Correct-Horse-9-Battery';

/** The attributes a frontend sends at sign-up: identity, the CGU version in force, the account type. */
export function signUpAttributesFor(
  cloud: CloudInfo,
  email: string,
  accountType: 'client' | 'practitioner' = 'client',
) {
  return [
    { Name: 'email', Value: email },
    { Name: 'given_name', Value: 'Test' },
    { Name: 'family_name', Value: 'Person' },
    { Name: signUpAttributes.cguVersion, Value: cloud.env.CGU_VERSION ?? DEFAULT_CGU_VERSION },
    { Name: signUpAttributes.accountType, Value: accountType },
  ];
}

export async function signedInPerson(cloud: CloudInfo, role: Role): Promise<Person> {
  const cognito = localCognitoClient(cloud.urls.cognito);
  try {
    const email = `${role}.${randomUUID().slice(0, 8)}@example.test`;
    const signUp = await cognito.send(
      new SignUpCommand({
        ClientId: cloud.cognito.clientId,
        Username: email,
        Password: PASSWORD,
        UserAttributes: signUpAttributesFor(cloud, email, role === 'practitioner' ? 'practitioner' : 'client'),
      }),
    );
    const mail = await waitForMail(
      cloud.urls.mailStore,
      (m) => m.subject === verificationEmail.subject && m.destination.to.includes(email),
    );
    const code = mail.body.text?.match(/\b(\d{6})\b/)?.[1];
    if (!code) throw new Error('no confirmation code in the verification email');
    await cognito.send(
      new ConfirmSignUpCommand({ ClientId: cloud.cognito.clientId, Username: email, ConfirmationCode: code }),
    );
    if (role !== 'client' && role !== 'practitioner') {
      await cognito.send(
        new AdminAddUserToGroupCommand({ UserPoolId: cloud.cognito.userPoolId, Username: email, GroupName: role }),
      );
    }
    const auth = await cognito.send(
      new InitiateAuthCommand({
        ClientId: cloud.cognito.clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: email, PASSWORD },
      }),
    );
    return { email, accountId: signUp.UserSub!, idToken: auth.AuthenticationResult!.IdToken! };
  } finally {
    cognito.destroy();
  }
}

/** Signs an existing person in again (after a restart of the local cloud: its issuer URL changed). */
export async function signInAgain(cloud: CloudInfo, person: Person): Promise<Person> {
  const cognito = localCognitoClient(cloud.urls.cognito);
  try {
    const auth = await cognito.send(
      new InitiateAuthCommand({
        ClientId: cloud.cognito.clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: person.email, PASSWORD },
      }),
    );
    return { ...person, idToken: auth.AuthenticationResult!.IdToken! };
  } finally {
    cognito.destroy();
  }
}
