/**
 * Pinduoduo (拼多多) merchant back office order export (订单查询 > 导出): one row per order, each order
 * one goods line. 商品总价(元) is price × quantity; only the shop's own discount (店铺优惠折扣) is a
 * discount to the shop — the platform's (平台优惠折扣) is paid back to it. The group-buy id (团ID) is
 * the referral: who joined whose 拼单. Pinduoduo masks buyers, so customer_id stays null.
 * Columns are chosen by the merchant at export time, so only the core ones are required.
 * Layout: ../shared/marketplace-layouts.md §5.
 */
import type { OrderStatus } from '../../schemas/tables.ts';
import type { OrdersFormat } from '../format.ts';
import { groupedOrderMapper, headerLayout } from '../grouped-orders.ts';
import { HeaderMap } from '../header-map.ts';
import {
  type Bad,
  clip,
  must,
  optional,
  parseCount,
  parseDateTime,
  parseMoneyNonNegative,
} from '../values.ts';

const COLUMNS = {
  orderId: ['订单号'],
  product: ['商品'],
  status: ['订单状态'],
  quantity: ['商品数量(件)', '商品数量'],
  paidTs: ['支付时间'],
  orderTs: ['订单成交时间', '拼单成功时间', '成团时间'],
  styleId: ['样式ID'],
  category: ['商品一级类目'],
  skuCode: ['商家编码-规格维度', '商家编码-SKU维度'],
  goodsCode: ['商家编码-商品维度'],
  afterSale: ['售后状态'],
  groupId: ['团ID'],
  total: ['商品总价(元)'],
  shopDiscount: ['店铺优惠折扣(元)'],
  province: ['省'],
  warehouse: ['仓库名称'],
  source: ['订单来源'],
} as const;

const STATUS: Record<string, OrderStatus> = {
  待支付: 'pending',
  待发货: 'paid',
  '已发货，待签收': 'shipped',
  '已发货，待收货': 'shipped',
  已签收: 'completed',
  已收货: 'completed',
  '未发货，退款成功': 'refunded',
  '已发货，退款成功': 'refunded',
  '已签收，退款成功': 'refunded',
  已取消: 'cancelled',
};

/** Chinese exports mix full-width and ASCII commas in status words. */
const statusKey = (s: string): string => s.replace(/,/g, '，').replace(/\s+/g, '');

export const pddOrders: OrdersFormat = {
  table: 'order_lines',
  name: 'pinduoduo',
  source: 'pinduoduo',
  title: 'Pinduoduo (拼多多) order export',
  download: '拼多多商家后台 > 订单 > 订单查询 > 批量导出 (.csv)',
  delimiter: ',',
  quoting: true,
  defaultTimeZone: 'Asia/Shanghai',
  requiredColumns: ['商品', '订单号', '订单状态', '商品总价(元)'],
  // An order time: 订单成交时间 (or its older names), else 支付时间.
  neededColumns: [[...COLUMNS.orderTs, ...COLUMNS.paidTs]],
  splittable: () => false,
  open(header, ctx) {
    const h = new HeaderMap(header, COLUMNS);
    return groupedOrderMapper(
      (fields) => {
        const orderId = h.get(fields, 'orderId');
        const m = <T>(v: T | Bad, c: string) => must(v, c, orderId);
        const statusRaw = h.get(fields, 'status');
        let status = STATUS[statusKey(statusRaw)];
        if (!status) return { column: '订单状态', reason: `unknown status "${clip(statusRaw)}"` };
        if (h.get(fields, 'afterSale') === '退款成功') status = 'refunded';
        const quantity = m(
          parseCount(h.get(fields, 'quantity') || '1', 'whole number of units'),
          '商品数量(件)',
        );
        const total = m(parseMoneyNonNegative(h.get(fields, 'total'), 'amount'), '商品总价(元)');
        const paidTs = m(
          optional(h.get(fields, 'paidTs'), (s) => parseDateTime(s, ctx.timeZone)),
          '支付时间',
        );
        const orderTs =
          m(
            optional(h.get(fields, 'orderTs'), (s) => parseDateTime(s, ctx.timeZone)),
            '订单成交时间',
          ) ?? paidTs;
        if (orderTs === null)
          return { column: '订单成交时间', reason: 'no order time (订单成交时间 or 支付时间)' };
        const discount =
          m(
            optional(h.get(fields, 'shopDiscount'), (s) => parseMoneyNonNegative(s)),
            '店铺优惠折扣(元)',
          ) ?? 0;
        return {
          head: {
            customerRef: null,
            email: null,
            phone: null,
            status,
            paidTs,
            currency: 'CNY',
            orderDiscount: 0,
            orderRefund: 0,
            channel: h.get(fields, 'source') || null,
            country: 'CN',
            warehouse: h.get(fields, 'warehouse') || null,
            referralId: h.get(fields, 'groupId') || null,
          },
          line: {
            orderTs,
            lineId: null,
            sku: h.get(fields, 'skuCode') || h.get(fields, 'goodsCode') || h.get(fields, 'styleId') || null,
            productName: h.get(fields, 'product') || null,
            category: h.get(fields, 'category') || null,
            quantity,
            unitPrice: quantity > 0 ? total / quantity : total,
            discount,
            refund: status === 'refunded' ? Math.max(0, total - discount) : 0,
            status: null,
          },
        };
      },
      headerLayout(h, 'orderId'),
    );
  },
};
