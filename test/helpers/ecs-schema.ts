import * as ecs from '@aws-sdk/client-ecs';
import { NormalizedSchema } from '@smithy/core/schema';

/**
 * Checks a JSON document against the shape of an ECS API request, as the AWS SDK for JavaScript v3
 * models it (the schema @aws-sdk/client-ecs serializes with): every member known, members of the
 * right type, required members present, enums from the SDK's enum objects. This is what
 * `aws ecs register-task-definition --cli-input-json` and `create-service` accept; the service's
 * own rules on top (FireLens, launch types) are asserted by the tests.
 */

type Schema = Parameters<typeof NormalizedSchema.of>[0];

/** The enum of a member, by `<structure>.<member>` (the schema keeps enums as plain strings). */
const ENUMS: Record<string, Record<string, string>> = {
  'RegisterTaskDefinitionRequest.networkMode': ecs.NetworkMode,
  'RegisterTaskDefinitionRequest.requiresCompatibilities': ecs.Compatibility,
  'RegisterTaskDefinitionRequest.pidMode': ecs.PidMode,
  'RegisterTaskDefinitionRequest.ipcMode': ecs.IpcMode,
  'LogConfiguration.logDriver': ecs.LogDriver,
  'FirelensConfiguration.type': ecs.FirelensConfigurationType,
  'PortMapping.protocol': ecs.TransportProtocol,
  'ContainerDependency.condition': ecs.ContainerCondition,
  'CreateServiceRequest.schedulingStrategy': ecs.SchedulingStrategy,
  'CreateServiceRequest.launchType': ecs.LaunchType,
};

export const REGISTER_TASK_DEFINITION = ecs.RegisterTaskDefinitionRequest$ as Schema;
export const CREATE_SERVICE = ecs.CreateServiceRequest$ as Schema;

/** Every problem found, as `path: message` lines; empty when the document fits. */
export function checkShape(value: unknown, schema: Schema): string[] {
  const errors: string[] = [];
  walk(value, NormalizedSchema.of(schema), '$', undefined, errors);
  return errors;
}

function walk(value: unknown, s: NormalizedSchema, path: string, enumKey: string | undefined, errors: string[]): void {
  if (s.isStructSchema()) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      errors.push(`${path}: expected an object (${s.getName()})`);
      return;
    }
    const name = s.getName() ?? '?';
    const members = new Map(s.structIterator());
    // the static schema lists required members first and counts them in its 7th slot
    const raw = s.getSchema() as unknown as unknown[];
    const requiredCount = typeof raw[6] === 'number' ? raw[6] : 0;
    [...members.keys()].slice(0, requiredCount).forEach((m) => {
      if (!(m in value)) errors.push(`${path}: missing required member '${m}' of ${name}`);
    });
    for (const [k, v] of Object.entries(value)) {
      const m = members.get(k);
      if (!m) errors.push(`${path}: unknown member '${k}' of ${name}`);
      else walk(v, m, `${path}.${k}`, `${name}.${k}`, errors);
    }
  } else if (s.isListSchema()) {
    if (!Array.isArray(value)) {
      errors.push(`${path}: expected a list`);
      return;
    }
    value.forEach((v, i) => walk(v, s.getValueSchema(), `${path}[${i}]`, enumKey, errors));
  } else if (s.isMapSchema()) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      errors.push(`${path}: expected a map`);
      return;
    }
    for (const [k, v] of Object.entries(value)) walk(v, s.getValueSchema(), `${path}.${k}`, undefined, errors);
  } else if (s.isStringSchema()) {
    if (typeof value !== 'string') errors.push(`${path}: expected a string, got ${JSON.stringify(value)}`);
    else {
      const allowed = enumKey ? ENUMS[enumKey] : undefined;
      if (allowed && !Object.values(allowed).includes(value)) {
        errors.push(`${path}: '${value}' is not one of ${Object.values(allowed).join(', ')}`);
      }
    }
  } else if (s.isNumericSchema()) {
    if (typeof value !== 'number') errors.push(`${path}: expected a number, got ${JSON.stringify(value)}`);
  } else if (s.isBooleanSchema()) {
    if (typeof value !== 'boolean') errors.push(`${path}: expected true or false, got ${JSON.stringify(value)}`);
  } else {
    errors.push(`${path}: member type ${s.getName() ?? String(s.getSchema())} is not checked by this test helper`);
  }
}
