import { installLoopbackGuard } from './helpers/loopback-guard.mjs';

// Every test process starts with IMDS switched off, so nothing can ever fall through to the real
// metadata address. A test that exercises IMDS points a provider at a loopback fake explicitly.
process.env.AWS_EC2_METADATA_DISABLED = 'true';
// Never pick up a developer's real AWS config or credentials.
process.env.AWS_CONFIG_FILE = '/nonexistent/wren-test/aws-config';
process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/wren-test/aws-credentials';
for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_ROLE_ARN', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_AUTHORIZATION_TOKEN', 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
  'HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy']) {
  delete process.env[k];
}
// Nor their endpoint settings (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>, the ignore switch).
for (const k of Object.keys(process.env)) {
  if (k.startsWith('AWS_ENDPOINT_URL') || k === 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS') delete process.env[k];
}
// And should anything still try a non-loopback address, the connection is refused in-process.
installLoopbackGuard();
