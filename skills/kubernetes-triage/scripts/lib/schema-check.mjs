// Checks a value against the JSON Schema that test/skills/generate-report-rules.ts generates from Watchkeeper's zod
// action schema (core/domain/remediation.ts), answering like zod's safeParse. It knows the keywords that schema
// uses (type, const, enum, lengths, bounds, properties, required, additionalProperties, oneOf) and fails loudly on
// any other, so a new keyword in the schema cannot be silently ignored. Plain JavaScript: it runs in the agent's
// workspace, where only Node is certain to be present.

const known = new Set([
  '$schema',
  'type',
  'const',
  'enum',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'properties',
  'required',
  'additionalProperties',
  'oneOf',
  'description',
]);

function typeOf(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function matchesType(type, value) {
  const actual = typeOf(value);
  return actual === type || (type === 'number' && actual === 'integer');
}

/** The first problem of `value` against `schema`, as `{ path, message }`, or undefined. */
function firstIssue(schema, value, path) {
  const unknown = Object.keys(schema).filter((key) => !known.has(key));
  if (unknown.length > 0)
    throw new Error(`schema-check: unsupported JSON Schema keyword(s) ${unknown.join(', ')}`);
  if (schema.oneOf) return oneOfIssue(schema.oneOf, value, path);
  if (schema.type && !matchesType(schema.type, value))
    return { path, message: `Invalid input: expected ${schema.type}, received ${typeOf(value)}` };
  if ('const' in schema && value !== schema.const)
    return { path, message: `Invalid input: expected ${JSON.stringify(schema.const)}` };
  if (schema.enum && !schema.enum.includes(value))
    return {
      path,
      message: `Invalid option: expected one of ${schema.enum.map((v) => JSON.stringify(v)).join('|')}`,
    };
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength)
      return { path, message: `Too small: expected string to have >=${schema.minLength} characters` };
    if (schema.maxLength !== undefined && value.length > schema.maxLength)
      return { path, message: `Too big: expected string to have <=${schema.maxLength} characters` };
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum)
      return { path, message: `Too small: expected number to be >=${schema.minimum}` };
    if (schema.maximum !== undefined && value > schema.maximum)
      return { path, message: `Too big: expected number to be <=${schema.maximum}` };
    if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum)
      return { path, message: `Too small: expected number to be >${schema.exclusiveMinimum}` };
    if (schema.exclusiveMaximum !== undefined && value >= schema.exclusiveMaximum)
      return { path, message: `Too big: expected number to be <${schema.exclusiveMaximum}` };
  }
  if (schema.properties && typeOf(value) === 'object') {
    for (const key of schema.required ?? []) {
      if (!(key in value))
        return { path: [...path, key], message: 'Invalid input: a required field is missing' };
    }
    for (const [key, child] of Object.entries(value)) {
      const childSchema = schema.properties[key];
      if (childSchema === undefined) {
        if (schema.additionalProperties === false)
          return { path, message: `Unrecognized key: ${JSON.stringify(key)}` };
        continue;
      }
      const issue = firstIssue(childSchema, child, [...path, key]);
      if (issue) return issue;
    }
  }
  return undefined;
}

/** A oneOf whose branches all fix `type` to a constant is a discriminated union: judge the matching branch. */
function oneOfIssue(branches, value, path) {
  const tags = branches.map((branch) => branch.properties?.type?.const);
  if (tags.every((tag) => typeof tag === 'string') && typeOf(value) === 'object') {
    const index = tags.indexOf(value.type);
    if (index === -1)
      return {
        path: [...path, 'type'],
        message: `Invalid discriminator value: expected ${tags.map((t) => JSON.stringify(t)).join(' | ')}`,
      };
    return firstIssue(branches[index], value, path);
  }
  const passing = branches.filter((branch) => firstIssue(branch, value, path) === undefined).length;
  return passing === 1
    ? undefined
    : { path, message: 'Invalid input: matches none (or more than one) of the options' };
}

/** zod-style result: `{ success: true, data }` or `{ success: false, error: { issues: [{ path, message }] } }`. */
export function safeParse(schema, value) {
  const issue = firstIssue(schema, value, []);
  return issue ? { success: false, error: { issues: [issue] } } : { success: true, data: value };
}
