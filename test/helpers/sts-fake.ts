import type { ServerResponse } from 'node:http';
import { startRecordingServer, type ReceivedRequest, type RecordingServer } from './recording-server.js';
import { verifySigV4 } from './sigv4-verify.js';

/**
 * A loopback STS (query protocol) that behaves like the service: AssumeRole must be SigV4-signed
 * (checked with aws4) by a key it knows; AssumeRoleWithWebIdentity is unsigned and must carry a
 * token it accepts. Answers XML, including STS's error documents.
 */
export interface StsCall {
  action: string;
  params: Record<string, string>;
  /** Access key that signed an AssumeRole. */
  signedBy?: string;
  headers: Record<string, string>;
}

export interface StsFakeOptions {
  /** Secret keys by access key id, for checking AssumeRole signatures. */
  secrets: Record<string, string>;
  /** Web identity tokens it accepts (default: any non-empty). */
  acceptTokens?: (token: string) => boolean;
  /** Role ARNs it refuses with AccessDenied. */
  deny?: string[];
  /** Signing region it expects (default any). */
  region?: string;
  /** Delay before answering, ms. */
  delayMs?: number;
}

export interface StsFake {
  url: string;
  server: RecordingServer;
  calls: StsCall[];
  /** Credentials it issued, by access key id (so later fakes can verify them). */
  issued: Map<string, { secretAccessKey: string; sessionToken: string; roleArn: string }>;
  close(): Promise<void>;
}

function error(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'text/xml' }).end(
    `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code>` +
    `<Message>${message.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</Message></Error><RequestId>fake</RequestId></ErrorResponse>`,
  );
}

let counter = 0;

export async function startStsFake(o: StsFakeOptions): Promise<StsFake> {
  const calls: StsCall[] = [];
  const issued: StsFake['issued'] = new Map();
  const handle = async (req: ReceivedRequest, res: ServerResponse) => {
    if (o.delayMs) await new Promise((r) => setTimeout(r, o.delayMs));
    const params = Object.fromEntries(new URLSearchParams(req.body.toString('utf8')));
    const action = params.Action ?? '';
    const call: StsCall = { action, params, headers: req.headers };
    calls.push(call);
    if (req.method !== 'POST' || req.path !== '/') return error(res, 400, 'InvalidAction', 'POST / expected');
    if (action === 'AssumeRole') {
      const akid = /Credential=([^/]+)\//.exec(req.headers.authorization ?? '')?.[1];
      const secret = akid ? o.secrets[akid] ?? issued.get(akid)?.secretAccessKey : undefined;
      if (!akid || !secret) return error(res, 403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
      const token = issued.get(akid)?.sessionToken;
      const v = verifySigV4(req, { secretAccessKey: secret, service: 'sts', region: o.region, sessionToken: token });
      if (!v.ok) return error(res, 403, 'SignatureDoesNotMatch', v.reason);
      call.signedBy = akid;
    } else if (action === 'AssumeRoleWithWebIdentity') {
      if (req.headers.authorization) return error(res, 400, 'InvalidParameterValue', 'AssumeRoleWithWebIdentity is not signed');
      const token = params.WebIdentityToken ?? '';
      if (!token || !(o.acceptTokens ?? (() => true))(token)) return error(res, 400, 'InvalidIdentityToken', "Couldn't retrieve verification key from your identity provider");
    } else {
      return error(res, 400, 'InvalidAction', `Could not find operation ${action}`);
    }
    if (params.Version !== '2011-06-15') return error(res, 400, 'InvalidParameterValue', 'Version must be 2011-06-15');
    if (!params.RoleArn || !params.RoleSessionName) return error(res, 400, 'MissingParameter', 'RoleArn and RoleSessionName are required');
    if (!/^[\w+=,.@-]{2,64}$/.test(params.RoleSessionName)) return error(res, 400, 'ValidationError', 'invalid RoleSessionName');
    if (o.deny?.includes(params.RoleArn)) {
      return error(res, 403, 'AccessDenied', `User is not authorized to perform: sts:${action} on resource: ${params.RoleArn}`);
    }
    const n = ++counter;
    const accessKeyId = `ASIAFAKESTS${String(n).padStart(9, '0')}`;
    const secretAccessKey = `stsSecret${n}/EXAMPLEKEY`;
    const sessionToken = `FwoGZXIvYXdzEXAMPLE${n}+token/==`;
    issued.set(accessKeyId, { secretAccessKey, sessionToken, roleArn: params.RoleArn });
    const expiration = new Date(Date.now() + Number(params.DurationSeconds ?? 3600) * 1000).toISOString();
    const result = `${action}Result`;
    res.writeHead(200, { 'content-type': 'text/xml' }).end(
      `<${action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><${result}>` +
      `<Credentials><AccessKeyId>${accessKeyId}</AccessKeyId><SecretAccessKey>${secretAccessKey}</SecretAccessKey>` +
      `<SessionToken>${sessionToken}</SessionToken><Expiration>${expiration}</Expiration></Credentials>` +
      `<AssumedRoleUser><Arn>${params.RoleArn}/${params.RoleSessionName}</Arn></AssumedRoleUser></${result}>` +
      `<ResponseMetadata><RequestId>fake-${n}</RequestId></ResponseMetadata></${action}Response>`,
    );
  };
  const server = await startRecordingServer(handle);
  return { url: server.url, server, calls, issued, close: () => server.close() };
}
