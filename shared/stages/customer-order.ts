/**
 * Customer order for column-major model inputs: the models write their rows sorted by customer id,
 * so a run's output does not depend on the order the SQL engine returns rows in.
 */

/** The permutation that sorts `ids` (code-unit order, as `<` compares strings). */
export function sortedOrder(ids: readonly string[]): Int32Array {
  const order = new Int32Array(ids.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((a, b) => {
    const x = ids[a]!;
    const y = ids[b]!;
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/** The values in the given order. */
export function permute<T>(values: readonly T[], order: Int32Array): T[] {
  const out = new Array<T>(order.length);
  for (let i = 0; i < order.length; i++) out[i] = values[order[i]!]!;
  return out;
}

/** Each column of a column-major result in the order that sorts its customer ids. */
export function byCustomer<C extends { customer_id: readonly string[] }>(columns: C): C {
  const order = sortedOrder(columns.customer_id);
  const out: Record<string, unknown[]> = {};
  for (const [name, values] of Object.entries(columns)) out[name] = permute(values as unknown[], order);
  return out as unknown as C;
}
