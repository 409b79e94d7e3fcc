/**
 * Douyin (抖店) order export (订单管理 > 批量导出): UTF-8 with BOM, one row per sub-order (子订单),
 * ids wrapped in a TAB so Excel keeps their digits, `-` for an empty cell. Money is per sub-order;
 * the shop's discount is 商家优惠 (platform and creator discounts are not the shop's). The traffic
 * source (流量来源) is the channel and the creator (达人ID) the referral. No buyer id is exported.
 * Layout: ../shared/marketplace-layouts.md §6.
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
  orderId: ['主订单编号'],
  lineId: ['子订单编号'],
  product: ['选购商品'],
  quantity: ['商品数量'],
  productId: ['商品ID'],
  skuCode: ['商家编码'],
  unitPrice: ['商品单价'],
  shopDiscount: ['商家优惠'],
  orderTs: ['订单提交时间'],
  paidTs: ['支付完成时间'],
  trafficSource: ['流量来源'],
  appChannel: ['APP渠道'],
  status: ['订单状态'],
  creatorId: ['达人ID'],
  afterSale: ['售后状态'],
  warehouse: ['仓库名称'],
} as const;

const STATUS: Record<string, OrderStatus> = {
  待支付: 'pending',
  待发货: 'paid',
  备货中: 'paid',
  已发货: 'shipped',
  已完成: 'completed',
  已关闭: 'cancelled',
  已取消: 'cancelled',
};

export const douyinOrders: OrdersFormat = {
  table: 'order_lines',
  name: 'douyin',
  source: 'douyin',
  title: 'Douyin (抖店) order export',
  download: '抖店商家后台 > 订单 > 订单管理 > 批量导出 (.csv)',
  delimiter: ',',
  quoting: true,
  defaultTimeZone: 'Asia/Shanghai',
  requiredColumns: ['主订单编号', '子订单编号', '商品数量', '商品单价', '订单提交时间', '订单状态'],
  splittable: () => false,
  open(header, ctx) {
    const h = new HeaderMap(header, COLUMNS, ['-']);
    return groupedOrderMapper(
      (fields) => {
        const orderId = h.get(fields, 'orderId');
        const m = <T>(v: T | Bad, c: string) => must(v, c, orderId);
        const statusRaw = h.get(fields, 'status');
        const orderStatus = STATUS[statusRaw];
        if (!orderStatus) return { column: '订单状态', reason: `unknown status "${clip(statusRaw)}"` };
        // A closed sub-order whose after-sale ended in a refund was paid, then refunded.
        const refunded = h.get(fields, 'afterSale') === '退款成功';
        const quantity = m(parseCount(h.get(fields, 'quantity'), 'whole number of units'), '商品数量');
        const unitPrice = m(parseMoneyNonNegative(h.get(fields, 'unitPrice'), 'price'), '商品单价');
        const discount =
          m(
            optional(h.get(fields, 'shopDiscount'), (s) => parseMoneyNonNegative(s)),
            '商家优惠',
          ) ?? 0;
        return {
          head: {
            customerRef: null,
            email: null,
            phone: null,
            status: orderStatus,
            paidTs: m(
              optional(h.get(fields, 'paidTs'), (s) => parseDateTime(s, ctx.timeZone)),
              '支付完成时间',
            ),
            currency: 'CNY',
            orderDiscount: 0,
            orderRefund: 0,
            channel: h.get(fields, 'trafficSource') || h.get(fields, 'appChannel') || null,
            country: 'CN',
            warehouse: h.get(fields, 'warehouse') || null,
            referralId: h.get(fields, 'creatorId') || null,
          },
          line: {
            orderTs: m(parseDateTime(h.get(fields, 'orderTs'), ctx.timeZone), '订单提交时间'),
            lineId: h.get(fields, 'lineId') || null,
            sku: h.get(fields, 'skuCode') || h.get(fields, 'productId') || null,
            productName: h.get(fields, 'product') || null,
            category: null,
            quantity,
            unitPrice,
            discount,
            refund: refunded ? Math.max(0, quantity * unitPrice - discount) : 0,
            status: refunded ? 'refunded' : null,
          },
        };
      },
      headerLayout(h, 'orderId'),
    );
  },
};
