/**
 * Channel mix: revenue per platform, channel and country with order economics (average order value,
 * refund and cancel rates, gross margin where unit costs are known), growth against the previous
 * window, share of the shop, and the category concentration of what sells there (the top category's
 * share and the Herfindahl index, the sum of squared category shares: 1 = a single category).
 */
import type { channelMix as channelMixTable } from '../schemas/product-tables.ts';
import type { RowOf } from '../schemas/table.ts';

export interface ChannelOrder {
  source: string;
  channel: string;
  country: string;
  period: 'current' | 'previous';
  purchased: number;
  cancelled: number;
  refunded: number;
  revenue: number;
  costedRevenue: number | null;
  cost: number | null;
}

export interface ChannelCategory {
  source: string;
  channel: string;
  category: string;
  revenue: number;
}

export type ChannelMixRow = RowOf<typeof channelMixTable>;

interface Acc {
  revenue: number;
  previous: number;
  orders: number;
  all: number;
  cancelled: number;
  refunded: number;
  costedRevenue: number;
  cost: number;
}

/** Top category and Herfindahl index of a list of category revenues. */
export function concentration(revenues: readonly { category: string; revenue: number }[]): {
  top: string | null;
  topShare: number | null;
  hhi: number | null;
} {
  const total = revenues.reduce((a, r) => a + Math.max(0, r.revenue), 0);
  if (total <= 0) return { top: null, topShare: null, hhi: null };
  const sorted = [...revenues].sort((a, b) => b.revenue - a.revenue || a.category.localeCompare(b.category));
  const hhi = sorted.reduce((a, r) => a + (Math.max(0, r.revenue) / total) ** 2, 0);
  return { top: sorted[0]!.category, topShare: Math.max(0, sorted[0]!.revenue) / total, hhi };
}

export function channelMix(
  orders: readonly ChannelOrder[],
  categories: readonly ChannelCategory[],
): ChannelMixRow[] {
  const groups = new Map<string, Acc & { source: string; channel: string; country: string }>();
  const total: Acc & { source: string; channel: string; country: string } = {
    source: '(all)',
    channel: '(all)',
    country: '(all)',
    revenue: 0,
    previous: 0,
    orders: 0,
    all: 0,
    cancelled: 0,
    refunded: 0,
    costedRevenue: 0,
    cost: 0,
  };
  for (const o of orders) {
    const key = `${o.source}\u0000${o.channel}\u0000${o.country}`;
    let g = groups.get(key);
    if (!g) {
      g = { ...total, source: o.source, channel: o.channel, country: o.country };
      g.revenue = g.previous = g.orders = g.all = g.cancelled = g.refunded = g.costedRevenue = g.cost = 0;
      groups.set(key, g);
    }
    for (const acc of [g, total]) {
      if (o.period === 'previous') {
        acc.previous += o.revenue;
        continue;
      }
      acc.all++;
      acc.cancelled += o.cancelled;
      acc.refunded += o.refunded;
      if (o.purchased) {
        acc.orders++;
        acc.revenue += o.revenue;
        if (o.cost !== null && o.costedRevenue !== null) {
          acc.cost += o.cost;
          acc.costedRevenue += o.costedRevenue;
        }
      }
    }
  }
  const byChannel = new Map<string, { category: string; revenue: number }[]>();
  const shop = new Map<string, number>();
  for (const c of categories) {
    const key = `${c.source}\u0000${c.channel}`;
    byChannel.set(key, [...(byChannel.get(key) ?? []), { category: c.category, revenue: c.revenue }]);
    shop.set(c.category, (shop.get(c.category) ?? 0) + c.revenue);
  }
  const row = (
    g: Acc & { source: string; channel: string; country: string },
    mix: ReturnType<typeof concentration>,
  ) => ({
    source: g.source,
    channel: g.channel,
    country: g.country,
    revenue: g.revenue,
    orders: g.orders,
    aov: g.orders ? g.revenue / g.orders : null,
    refund_rate: g.all ? g.refunded / g.all : null,
    cancel_rate: g.all ? g.cancelled / g.all : null,
    gross_margin: g.costedRevenue > 0 ? (g.costedRevenue - g.cost) / g.costedRevenue : null,
    growth: g.previous > 0 ? g.revenue / g.previous - 1 : null,
    share: total.revenue > 0 ? g.revenue / total.revenue : 0,
    top_category: mix.top,
    top_category_share: mix.topShare,
    category_hhi: mix.hhi,
  });
  const rows = [...groups.values()]
    .filter((g) => g.all > 0 || g.previous > 0)
    .sort(
      (a, b) =>
        b.revenue - a.revenue ||
        `${a.source}${a.channel}${a.country}`.localeCompare(`${b.source}${b.channel}${b.country}`),
    )
    .map((g) => row(g, concentration(byChannel.get(`${g.source}\u0000${g.channel}`) ?? [])));
  return [
    ...rows,
    row(total, concentration([...shop].map(([category, revenue]) => ({ category, revenue })))),
  ];
}
