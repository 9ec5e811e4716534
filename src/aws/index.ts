/** What outputs use from the AWS library: signing with the credential chain, option specs, endpoints. */
export { createAwsAuth, type AwsAuth, type AwsAuthDeps, type WalkReport } from './auth.js';
export { AWS_OPTIONS, AWS_AUTH_OPTION, CLOUDWATCH_AWS_OPTIONS, awsOptions, type AwsKeyStyle } from './options.js';
export { dnsSuffix, serviceEndpoint, stsEndpoint } from './endpoints.js';
export { configuredEndpoint, endpointVariable, type ConfiguredEndpoint, type EndpointQuery } from './configured-endpoint.js';
export { signRequest, needsContentSha256 } from './signer.js';
export { maskKeyId, type AwsCredentials, type ChainStep } from './types.js';
