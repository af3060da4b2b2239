/**
 * Code of the SDK's default credential chain, as it stands in a bundle that carries it: its steps'
 * debug lines, the SSO, credential-process and web-identity settings. The SDK's package.json
 * files, bundled for their version, name the chain's package: that name is no marker. A bundle
 * built with infra/bundling.ts holds none of these (shared/lambda-credentials.ts).
 */
export const credentialChainMarkers = [
  'defaultProvider::',
  'sso_start_url',
  'credential_process',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
] as const;
