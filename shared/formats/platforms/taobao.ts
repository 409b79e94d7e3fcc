/**
 * Taobao / Tmall (千牛) exports come as a pair: the order report (订单报表, ExportOrderList*.csv, one
 * row per order: buyer, status, times, what the buyer pays, refunds) and the item report (宝贝报表,
 * ExportOrderDetailList*.csv, one row per item: title, unit price, quantity, item status). Neither
 * alone makes order lines, and they may arrive in either order or at once: each file's checked rows
 * are staged in the lake, and ingest joins an order's halves (`pairing.join`) when both have been
 * seen (shared/pipeline/staging.ts). GBK, every cell quoted, order
 * numbers guarded as `="…"`, phones as `'…`, amounts like `267.80元`, Beijing time without a zone.
 * Layout: ../shared/marketplace-layouts.md §3.
 */
import type { OrderStatus } from '../../schemas/tables.ts';
import type { FormatContext, MappedOrderLine, OrderLineSink, OrdersFormat } from '../format.ts';
import { unlandable } from '../format.ts';
import { allocate, headerLayout, orderGrouper } from '../grouped-orders.ts';
import { HeaderMap } from '../header-map.ts';
import { clip, isBad, parseCount, parseDateTime, parseMoneyNonNegative, roundMoney } from '../values.ts';

const ORDER_COLUMNS = {
  orderId: ['订单编号'],
  buyer: ['买家会员名'],
  goodsPayable: ['买家应付货款'],
  status: ['订单状态'],
  phone: ['联系手机'],
  created: ['订单创建时间'],
  paid: ['订单付款时间'],
  shop: ['店铺名称'],
  refund: ['退款金额'],
  mobile: ['是否手机订单'],
} as const;
type OrderKey = keyof typeof ORDER_COLUMNS;

const ITEM_COLUMNS = {
  orderId: ['订单编号'],
  title: ['标题'],
  price: ['价格'],
  quantity: ['购买数量'],
  outerId: ['外部系统编号'],
  attributes: ['商品属性'],
  status: ['订单状态'],
  sellerCode: ['商家编码'],
} as const;
type ItemKey = keyof typeof ITEM_COLUMNS;

const STATUS: Record<string, OrderStatus> = {
  等待买家付款: 'pending',
  没有创建支付宝交易: 'pending',
  '买家已付款，等待卖家发货': 'paid',
  卖家部分发货: 'paid',
  '卖家已发货，等待买家确认': 'shipped',
  买家已签收: 'shipped',
  交易成功: 'completed',
  交易关闭: 'cancelled',
  交易被淘宝关闭: 'cancelled',
};
const statusKey = (s: string): string => s.replace(/,/g, '，').replace(/\s+/g, '');

/** Reads each logical column of a row into a plain record, the form rows are staged in. */
function record<K extends string>(h: HeaderMap<K>, keys: readonly K[], fields: readonly string[]) {
  return Object.fromEntries(keys.map((k) => [k, h.get(fields, k)])) as Record<K, string>;
}

/** Problems in a staged order-report row, so bad rows are quarantined before they are staged. */
function checkOrder(o: Record<OrderKey, string>, tz: string): { column: string; reason: string } | undefined {
  if (!STATUS[statusKey(o.status)])
    return { column: '订单状态', reason: `unknown status "${clip(o.status)}"` };
  const created = parseDateTime(o.created, tz);
  if (isBad(created)) return { column: '订单创建时间', reason: created.reason };
  if (o.paid) {
    const paid = parseDateTime(o.paid, tz);
    if (isBad(paid)) return { column: '订单付款时间', reason: paid.reason };
  }
  for (const [k, c] of [
    ['goodsPayable', '买家应付货款'],
    ['refund', '退款金额'],
  ] as const) {
    const v = o[k] ? parseMoneyNonNegative(o[k]) : 0;
    if (isBad(v)) return { column: c, reason: v.reason };
  }
  return undefined;
}

function checkItem(i: Record<ItemKey, string>): { column: string; reason: string } | undefined {
  const q = parseCount(i.quantity, 'whole number of units');
  if (isBad(q)) return { column: '购买数量', reason: q.reason };
  const p = parseMoneyNonNegative(i.price, 'price');
  if (isBad(p)) return { column: '价格', reason: p.reason };
  return undefined;
}

/** Joins one order's two halves into order lines (both already checked). */
function emitLines(
  orderId: string,
  o: Record<string, string>,
  items: readonly Record<string, string>[],
  ctx: FormatContext,
  sink: OrderLineSink,
): void {
  const tz = ctx.timeZone;
  const orderTs = parseDateTime(o.created ?? '', tz) as number;
  const paidTs = o.paid ? (parseDateTime(o.paid, tz) as number) : null;
  let status = STATUS[statusKey(o.status ?? '')] ?? 'pending';
  // A closed order that had been paid was refunded; one never paid was cancelled.
  if (status === 'cancelled' && paidTs !== null) status = 'refunded';
  const lines = items.map((i) => ({
    quantity: parseCount(i.quantity ?? '', '') as number,
    price: parseMoneyNonNegative(i.price ?? '') as number,
    closed: statusKey(i.status ?? '') === '交易关闭',
    i,
  }));
  const gross = lines.map((l) => l.quantity * l.price);
  const grossSum = gross.reduce((a, b) => a + b, 0);
  const payable = o.goodsPayable ? (parseMoneyNonNegative(o.goodsPayable) as number) : grossSum;
  const discounts = allocate(roundMoney(Math.max(0, grossSum - payable)), gross);
  const refund = o.refund ? (parseMoneyNonNegative(o.refund) as number) : 0;
  const anyClosed = status !== 'refunded' && lines.some((l) => l.closed);
  const refunds = allocate(
    refund,
    gross.map((g, k) => (anyClosed ? (lines[k]!.closed ? g : 0) : g)),
  );
  if (status === 'completed' && refund > 0 && !anyClosed) status = 'partially_refunded';
  const mapped = lines.map(
    (l, k): MappedOrderLine => ({
      order_id: orderId,
      line_id: String(k + 1),
      customer_ref: o.buyer || null,
      email: null,
      phone: o.phone || null,
      order_ts: orderTs,
      paid_ts: paidTs,
      status: l.closed && status !== 'cancelled' ? 'refunded' : status,
      sku: l.i.outerId || l.i.sellerCode || null,
      product_name: l.i.title || null,
      category: null,
      quantity: l.quantity,
      unit_price: l.price,
      discount: discounts[k] ?? 0,
      refund_amount: refunds[k] ?? 0,
      currency: 'CNY',
      channel: o.mobile === '手机订单' || o.mobile === '是' ? 'mobile' : 'taobao',
      country: 'CN',
      warehouse: null,
      referral_id: null,
    }),
  );
  // Both halves were checked row by row; what they make together is checked before any line lands.
  for (const m of mapped) {
    const p = unlandable(m);
    if (p) {
      for (const r of [o, ...items]) {
        sink.reject({
          line: 0,
          column: p.column,
          reason: `order ${clip(orderId)} rejected when joined with its other report: ${p.reason}`,
          record: Object.values(r),
        });
      }
      return;
    }
  }
  for (const m of mapped) sink.accept(m);
}

const COMMON = {
  table: 'order_lines',
  source: 'taobao',
  delimiter: ',',
  quoting: true,
  defaultTimeZone: 'Asia/Shanghai',
  splittable: () => false,
} as const;

export const taobaoOrderReport: OrdersFormat = {
  ...COMMON,
  name: 'taobao-orders',
  title: 'Taobao/Tmall order report (订单报表)',
  download: '千牛卖家中心 > 交易 > 已卖出的宝贝 > 批量导出 > 订单报表 (GBK .csv)',
  requiredColumns: ['订单编号', '买家会员名', '买家应付货款', '订单状态', '订单创建时间'],
  pairing: {
    self: 'taobao-orders',
    partner: 'taobao-items',
    partnerTitle: 'item report (宝贝报表)',
    join: (id, own, items, ctx, sink) => emitLines(id, own[0]!, items, ctx, sink),
  },
  open(header, ctx) {
    const h = new HeaderMap(header, ORDER_COLUMNS);
    const keys = Object.keys(ORDER_COLUMNS) as OrderKey[];
    // One row per order, checked and staged (the grouped-order rule: a damaged row is rejected with
    // any row it may belong with).
    return orderGrouper(
      headerLayout(h, 'orderId'),
      (fields) => {
        const o = record(h, keys, fields);
        return checkOrder(o, ctx.timeZone) ?? o;
      },
      (id, rows, sink) => {
        sink.stage?.(
          id,
          rows.map((r) => r.value),
        );
        return undefined;
      },
    );
  },
};

export const taobaoItemReport: OrdersFormat = {
  ...COMMON,
  name: 'taobao-items',
  title: 'Taobao/Tmall item report (宝贝报表)',
  download: '千牛卖家中心 > 交易 > 已卖出的宝贝 > 批量导出 > 宝贝报表 (GBK .csv)',
  requiredColumns: ['订单编号', '标题', '价格', '购买数量', '订单状态'],
  pairing: {
    self: 'taobao-items',
    partner: 'taobao-orders',
    partnerTitle: 'order report (订单报表)',
    join: (id, own, orders, ctx, sink) => emitLines(id, orders[0]!, own, ctx, sink),
  },
  open(header) {
    const h = new HeaderMap(header, ITEM_COLUMNS);
    const keys = Object.keys(ITEM_COLUMNS) as ItemKey[];
    // An order's item rows are staged together once the file is read; rows end with a comma the
    // header lacks.
    return orderGrouper(
      // A header saved again by a spreadsheet may have gained the empty column itself.
      headerLayout(h, 'orderId', { trailingEmptyField: header.at(-1)?.trim() !== '', keyed: true }),
      (fields) => {
        const i = record(h, keys, fields);
        return checkItem(i) ?? i;
      },
      (id, rows, sink) => {
        sink.stage?.(
          id,
          rows.map((r) => r.value),
        );
        return undefined;
      },
    );
  },
};
