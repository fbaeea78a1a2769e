import {
  IdentifierNode,
  OperationNodeTransformer,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type TableNode,
  type UnknownRow,
} from 'kysely';

/**
 * Lets the partner kit write typed queries against short table names (`resources`) while each
 * provider keeps its own tables in the shared database (`pg_provider_resources`,
 * `redis_provider_resources`). Only the kit's own names are renamed, so a table alias or any
 * other table passes through untouched.
 */
export class TablePrefixPlugin implements KyselyPlugin {
  readonly #transformer: PrefixTransformer;

  constructor(prefix: string, tables: readonly string[]) {
    this.#transformer = new PrefixTransformer(prefix, new Set(tables));
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return this.#transformer.transformNode(args.node, args.queryId);
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

class PrefixTransformer extends OperationNodeTransformer {
  readonly #prefix: string;
  readonly #tables: ReadonlySet<string>;

  constructor(prefix: string, tables: ReadonlySet<string>) {
    super();
    this.#prefix = prefix;
    this.#tables = tables;
  }

  protected override transformTable(node: TableNode): TableNode {
    const transformed = super.transformTable(node);
    const name = transformed.table.identifier.name;
    if (!this.#tables.has(name)) return transformed;
    return { ...transformed, table: { ...transformed.table, identifier: IdentifierNode.create(`${this.#prefix}${name}`) } };
  }
}
