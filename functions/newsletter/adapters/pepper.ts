/**
 * The newsletter's pepper, read once per process from SSM Parameter Store (the SecureString its
 * settings name; never in the environment, never logged). A failed read is tried again on the
 * next call, not cached.
 */
import { GetParametersCommand, type SSMClient } from '@aws-sdk/client-ssm';

export function pepperFromParameter(ssm: () => SSMClient, name: string): () => Promise<string> {
  let loading: Promise<string> | undefined;
  const load = async () => {
    const { Parameters = [], InvalidParameters = [] } = await ssm().send(
      new GetParametersCommand({ Names: [name], WithDecryption: true }),
    );
    if (InvalidParameters.length > 0) throw new Error(`Missing SSM parameter: ${name}`);
    const value = Parameters.find((p) => p.Name === name)?.Value;
    if (!value || value.length < 16)
      throw new Error(`SSM parameter ${name} has no usable value (16 characters at least)`);
    return value;
  };
  return () => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
}
