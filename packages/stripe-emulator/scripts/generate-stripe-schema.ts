// `npm run conformance:schema`: derives a JSON Schema from the stripe SDK's own type declarations
// for every type in conformance/roots.ts and writes conformance/stripe-schema.json (committed;
// regenerate after upgrading the SDK). Rules, so the schema says what the wire carries:
// - every property the SDK declares non-optional is required; optional ones may be absent;
//   properties the SDK does not declare are allowed (additionalProperties stays open);
// - `null`, literals and unions as declared; the SDK's `OtherString` (string & {}) is a string;
// - `Decimal` (which the SDK parses from a decimal string) is a string;
// - an expandable field's object members are checked in full when they are one of the roots,
//   and only as "an object" otherwise: the emulator never expands those.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

type Schema = Record<string, unknown>;

const here = path.dirname(fileURLToPath(import.meta.url));
const rootsFile = path.resolve(here, '../conformance/roots.ts');
const outFile = path.resolve(here, '../conformance/stripe-schema.json');

const program = ts.createProgram([rootsFile], {
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  target: ts.ScriptTarget.ES2022,
  strict: true,
  skipLibCheck: true,
  noEmit: true,
});
const checker = program.getTypeChecker();
const source = program.getSourceFile(rootsFile);
if (!source) throw new Error(`cannot read ${rootsFile}`);

const rootsDecl = source.statements.find(ts.isInterfaceDeclaration);
if (!rootsDecl)
  throw new Error('conformance/roots.ts must declare the StripeSchemaRoots interface');
const rootsType = checker.getTypeAtLocation(rootsDecl);
const rootProps = checker.getPropertiesOfType(rootsType);

const defs: Record<string, Schema> = {};
const inProgress = new Set<string>();
/** Top-level resource interfaces that are roots: checked in full wherever they appear. */
const rootNames = new Set(
  rootProps.map((p) => defName(checker.getTypeOfSymbolAtLocation(p, rootsDecl))),
);

function defName(type: ts.Type): string {
  const symbol = type.aliasSymbol ?? type.getSymbol();
  const base = symbol ? checker.getFullyQualifiedName(symbol) : checker.typeToString(type);
  const args = type.aliasTypeArguments ?? (type as ts.TypeReference).typeArguments ?? [];
  const suffix = args.length ? `<${args.map((a) => defName(a)).join(',')}>` : '';
  // `"/abs/path/node_modules/stripe/esm/resources/Subscriptions".Subscription.Status` → a key
  // without the machine's path, so the committed file is the same everywhere.
  return `${base.replace(/"[^"]*\/stripe\/(esm|cjs)\//g, '"stripe/')}${suffix}`;
}

/** A top-level interface of a resource module (Customer, Account, …), not a nested type. */
function isTopLevelResource(type: ts.Type): boolean {
  const decl = type.getSymbol()?.declarations?.[0];
  return (
    !!decl && ts.isSourceFile(decl.parent) && /\/resources\//.test(decl.getSourceFile().fileName)
  );
}

/** The SDK's `Decimal` (`DecimalImpl & {brand}`), which it parses from a decimal string. */
function isDecimal(type: ts.Type): boolean {
  if (type.aliasSymbol?.getName() === 'Decimal') return true;
  const parts = type.isIntersection() ? type.types : [type];
  return parts.some((t) => t.getSymbol()?.getName() === 'DecimalImpl');
}

function schemaOf(type: ts.Type, inExpandable = false): Schema {
  const f = type.flags;
  if (f & (ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.Void)) return {};
  if (f & ts.TypeFlags.Null) return { type: 'null' };
  if (f & ts.TypeFlags.StringLiteral) return { const: (type as ts.StringLiteralType).value };
  if (f & ts.TypeFlags.NumberLiteral) return { const: (type as ts.NumberLiteralType).value };
  if (f & ts.TypeFlags.BooleanLiteral) return { const: checker.typeToString(type) === 'true' };
  if (f & ts.TypeFlags.String) return { type: 'string' };
  if (f & ts.TypeFlags.Number) return { type: 'number' };
  if (f & ts.TypeFlags.Boolean) return { type: 'boolean' };
  if (isDecimal(type)) return { type: 'string' };
  if (type.isUnion()) return unionSchema(type);
  if (type.isIntersection()) {
    // The SDK's OtherString is `string & Record<never, never>`.
    if (type.types.some((t) => t.flags & ts.TypeFlags.String)) return { type: 'string' };
    return { allOf: type.types.map((t) => schemaOf(t)) };
  }
  if (checker.isArrayType(type)) {
    const [item] = checker.getTypeArguments(type as ts.TypeReference);
    return { type: 'array', items: item ? schemaOf(item) : {} };
  }
  if (f & ts.TypeFlags.Object) {
    if (inExpandable && isTopLevelResource(type) && !rootNames.has(defName(type)))
      return { type: 'object' };
    return refTo(type);
  }
  throw new Error(`unsupported type ${checker.typeToString(type)}`);
}

function unionSchema(type: ts.UnionType): Schema {
  const members = type.types.filter((t) => !(t.flags & ts.TypeFlags.Undefined));
  // `boolean` is the union true | false.
  const literals = members.filter((t) => t.flags & ts.TypeFlags.BooleanLiteral);
  const rest = members.filter((t) => !(t.flags & ts.TypeFlags.BooleanLiteral));
  const parts: Schema[] =
    literals.length === 2 ? [{ type: 'boolean' }] : literals.map((t) => schemaOf(t));
  // An expandable field: an id string or the object itself.
  const expandable = rest.some((t) => t.flags & ts.TypeFlags.String);
  for (const t of rest) parts.push(schemaOf(t, expandable));
  return parts.length === 1 ? parts[0]! : { anyOf: parts };
}

function refTo(type: ts.Type): Schema {
  // Anonymous object types (`{ … }` literals) have no name to share: inline them.
  const anonymous =
    !type.aliasSymbol && ['__type', '__object'].includes(type.getSymbol()?.getName() ?? '');
  if (anonymous) return objectSchema(type);
  const name = defName(type);
  if (!defs[name] && !inProgress.has(name)) {
    inProgress.add(name);
    defs[name] = objectSchema(type);
    inProgress.delete(name);
  }
  return { $ref: `#/definitions/${encodeURIComponent(name)}` };
}

function objectSchema(type: ts.Type): Schema {
  const properties: Record<string, Schema> = {};
  const required: string[] = [];
  for (const prop of checker.getPropertiesOfType(type)) {
    const decl = prop.valueDeclaration ?? prop.declarations?.[0];
    const propType = decl
      ? checker.getTypeOfSymbolAtLocation(prop, decl)
      : checker.getTypeOfSymbol(prop);
    if (propType.getCallSignatures().length > 0) continue; // methods are not data
    properties[prop.getName()] = schemaOf(propType);
    if (!(prop.flags & ts.SymbolFlags.Optional)) required.push(prop.getName());
  }
  const index = checker.getIndexInfoOfType(type, ts.IndexKind.String);
  return {
    type: 'object',
    properties,
    ...(required.length ? { required } : {}),
    // Unknown extra fields are allowed, except that an index signature types them.
    additionalProperties: index ? schemaOf(index.type) : true,
  };
}

const roots: Record<string, Schema> = {};
for (const prop of rootProps) {
  roots[prop.getName()] = schemaOf(checker.getTypeOfSymbolAtLocation(prop, rootsDecl));
}

const stripeVersion = (await import('stripe')).default.API_VERSION;
const schema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $comment: `Generated by scripts/generate-stripe-schema.ts from the stripe SDK's type declarations (API version ${stripeVersion}). Do not edit.`,
  apiVersion: stripeVersion,
  roots,
  definitions: Object.fromEntries(Object.entries(defs).sort(([a], [b]) => a.localeCompare(b))),
};
writeFileSync(outFile, `${JSON.stringify(schema, null, 1)}\n`);
console.log(
  `Wrote ${path.relative(process.cwd(), outFile)}: ${Object.keys(roots).length} roots, ${Object.keys(defs).length} definitions.`,
);
