import { CreateProjectResponseBody$inboundSchema as C } from '@vercel/sdk/models/createprojectresponsebody.js';
import { GetProjectResponseBody$inboundSchema as G } from '@vercel/sdk/models/getprojectresponsebody.js';
import { GetProjectsResponseBody$inboundSchema as L } from '@vercel/sdk/models/getprojectsresponsebody.js';
function desc(s: any, depth: number): string {
  const t = s._def.typeName;
  if (t === 'ZodOptional') return '?' + desc(s._def.innerType, depth);
  if (t === 'ZodNullable') return 'nullable ' + desc(s._def.innerType, depth);
  if (t === 'ZodLazy') return desc(s._def.getter(), depth);
  if (t === 'ZodNativeEnum') return 'enum(' + Object.values(s._def.values).join('|') + ')';
  if (t === 'ZodArray') return desc(s._def.type, depth) + '[]';
  if (t === 'ZodRecord') return 'record<' + desc(s._def.valueType, depth) + '>';
  if (t === 'ZodEffects') return 'effects(' + desc(s._def.schema, depth) + ')';
  if (t === 'ZodUnion') {
    const opts = s._def.options.map((o: any) => o._def.typeName);
    if (opts[0] === 'ZodString' && opts.length === 3) return 'string~';
    if (opts[0] === 'ZodBoolean') return 'boolean~';
    if (opts[0] === 'ZodNumber') return 'number~';
    if (opts[0] === 'ZodNull' && opts.length === 3) return 'nullable~ ' + desc(s._def.options[2], depth);
    if (opts[0] === 'ZodEffects' && s._def.options[0]._def.schema?._def.typeName === 'ZodNull') return '?' + desc(s._def.options[1], depth);
    if (opts[0] === 'ZodLiteral') return 'literal~ ' + JSON.stringify(s._def.options[0]._def.value);
    return 'union(' + s._def.options.map((o: any) => desc(o, depth)).join(' | ') + ')';
  }
  if (t === 'ZodObject') {
    if (depth > 4) return '{…}';
    const shape = s._def.shape();
    const req = Object.entries(shape).filter(([, v]: any) => v._def.typeName !== 'ZodOptional');
    const pad = '  '.repeat(depth + 1);
    return '{\n' + req.map(([k, v]) => pad + k + ': ' + desc(v, depth + 1)).join('\n') + '\n' + '  '.repeat(depth) + '}';
  }
  if (t === 'ZodUnknown') return 'unknown(smartUnion?)';
  return t;
}
const which = process.argv[2];
const mod = await import(process.argv[2]!);
console.log(desc(mod[process.argv[3]!], 0));
