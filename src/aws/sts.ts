import type { Dispatcher } from 'undici';
import { errorLine } from '../errors.js';
import { excerpt } from '../redact.js';
import { send, type IncomingResponse, type OutgoingRequest } from '../net/request.js';
import { signRequest } from './signer.js';
import { CredentialsError, checkCredentials, type AwsCredentials } from './types.js';

/** STS over its query protocol (form POST to `/`, XML answers), through the destination dispatcher. */
export interface StsOptions {
  /** `https://sts.<region>.amazonaws.com` or an override. */
  endpoint: string;
  /** Signing region for AssumeRole. */
  region: string;
  dispatcher: Dispatcher;
  timeoutMs?: number;
}

export interface AssumeRoleParams {
  roleArn: string;
  sessionName: string;
  externalId?: string;
  durationSeconds?: number;
}

const VERSION = '2011-06-15';

function xmlText(xml: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml);
  if (!m) return undefined;
  return m[1]!.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

function parseCredentials(res: IncomingResponse, action: string, roleArn: string): AwsCredentials {
  const xml = res.body.toString('utf8');
  if (res.status !== 200) {
    const code = xmlText(xml, 'Code') ?? `HTTP ${res.status}`;
    const message = xmlText(xml, 'Message');
    throw new CredentialsError(`STS ${action} for ${roleArn} failed: ${excerpt(code, 100)}${message ? `: ${excerpt(message, 300)}` : ''} (HTTP ${res.status})`, {
      hint: code === 'AccessDenied' ? "check the role's trust policy allows this principal" : undefined,
    });
  }
  const exp = xmlText(xml, 'Expiration');
  return checkCredentials({
    accessKeyId: xmlText(xml, 'AccessKeyId'),
    secretAccessKey: xmlText(xml, 'SecretAccessKey'),
    sessionToken: xmlText(xml, 'SessionToken'),
    expiration: exp ? new Date(exp) : undefined,
  }, `STS ${action}`);
}

export class StsClient {
  constructor(private readonly o: StsOptions) {}

  get endpoint(): string {
    return this.o.endpoint;
  }

  private async post(action: string, roleArn: string, params: Record<string, string>, signWith?: AwsCredentials): Promise<AwsCredentials> {
    const body = new URLSearchParams({ Action: action, Version: VERSION, ...params }).toString();
    const unsigned: OutgoingRequest = {
      method: 'POST',
      url: new URL(`${this.o.endpoint}/`),
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', accept: 'text/xml' },
      body,
    };
    const req = signWith ? await signRequest(unsigned, { credentials: signWith, region: this.o.region, service: 'sts' }) : unsigned;
    let res: IncomingResponse;
    try {
      res = await send(req, this.o.dispatcher, { timeoutMs: this.o.timeoutMs ?? 5000 });
    } catch (cause) {
      throw new CredentialsError(`STS ${action} for ${roleArn} at ${this.o.endpoint} failed: ${errorLine(cause)}`, {
        hint: 'check aws_sts_endpoint / AWS_ENDPOINT_URL_STS and the proxy settings', cause,
      });
    }
    return parseCredentials(res, action, roleArn);
  }

  /** AssumeRole, signed with the source credentials. */
  assumeRole(source: AwsCredentials, p: AssumeRoleParams): Promise<AwsCredentials> {
    const params: Record<string, string> = { RoleArn: p.roleArn, RoleSessionName: p.sessionName };
    if (p.externalId) params.ExternalId = p.externalId;
    if (p.durationSeconds) params.DurationSeconds = String(Math.round(p.durationSeconds));
    return this.post('AssumeRole', p.roleArn, params, source);
  }

  /** AssumeRoleWithWebIdentity: not signed, the token is the proof. */
  assumeRoleWithWebIdentity(p: AssumeRoleParams & { token: string }): Promise<AwsCredentials> {
    const params: Record<string, string> = { RoleArn: p.roleArn, RoleSessionName: p.sessionName, WebIdentityToken: p.token };
    if (p.durationSeconds) params.DurationSeconds = String(Math.round(p.durationSeconds));
    return this.post('AssumeRoleWithWebIdentity', p.roleArn, params);
  }
}

/** A session name STS accepts ([\w+=,.@-], 2–64 chars). */
export function defaultSessionName(now = Date.now()): string {
  return `wren-${now}`;
}
