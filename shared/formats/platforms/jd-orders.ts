/**
 * JD (京东) POP merchant back office order export (订单查询 > 导出): GBK CSV, one row per SKU with the
 * order's amounts and buyer repeated on every row. 京东价 is the unit price; the order's discount is
 * 订单金额 − 应付金额 − 余额支付 (what JD's promotions and coupons took off), allocated by line value. A `(删除)`
 * prefix on the status marks a deleted order (a split parent): it is landed as cancelled so its
 * lines never count twice with the child orders. Layout: ../shared/marketplace-layouts.md §4.
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
  skuId: ['商品ID'],
  productName: ['商品名称'],
  quantity: ['订购数量'],
  orderTs: ['下单时间'],
  unitPrice: ['京东价'],
  orderAmount: ['订单金额'],
  payable: ['应付金额'],
  balance: ['余额支付'],
  freight: ['运费金额'],
  status: ['订单状态'],
  account: ['下单帐号', '下单账号'],
  phone: ['联系电话'],
  paidTs: ['付款确认时间'],
  itemNo: ['货号', '商家SKUID'],
  source: ['订单来源'],
  channel: ['订单渠道'],
  warehouse: ['仓库名称'],
} as const;

const STATUS: Record<string, OrderStatus> = {
  等待付款: 'pending',
  等待出库: 'paid',
  等待确认收货: 'shipped',
  等待收货: 'shipped',
  完成: 'completed',
  已完成: 'completed',
  已取消: 'cancelled',
  取消: 'cancelled',
  锁定: 'pending',
  暂停: 'pending',
  退款成功: 'refunded',
};

export const jdOrders: OrdersFormat = {
  table: 'order_lines',
  name: 'jd',
  source: 'jd',
  title: 'JD (京东) order export',
  download: '京东商家后台 > 订单管理 > 订单查询 > 导出 (GBK .csv)',
  delimiter: ',',
  quoting: true,
  defaultTimeZone: 'Asia/Shanghai',
  requiredColumns: ['订单号', '商品ID', '订购数量', '下单时间', '京东价', '订单状态'],
  splittable: () => false,
  open(header, ctx) {
    const h = new HeaderMap(header, COLUMNS);
    return groupedOrderMapper(
      (fields) => {
        const orderId = h.get(fields, 'orderId');
        const m = <T>(v: T | Bad, c: string) => must(v, c, orderId);
        const statusRaw = h.get(fields, 'status');
        const deleted = statusRaw.startsWith('(删除)') || statusRaw.startsWith('（删除）');
        const status = deleted ? 'cancelled' : STATUS[statusRaw];
        if (!status) return { column: '订单状态', reason: `unknown status "${clip(statusRaw)}"` };
        const money = (k: keyof typeof COLUMNS, c: string) =>
          m(
            optional(h.get(fields, k), (s) => parseMoneyNonNegative(s)),
            c,
          );
        const orderAmount = money('orderAmount', '订单金额');
        const payable = money('payable', '应付金额');
        const balance = money('balance', '余额支付') ?? 0;
        const quantity = m(parseCount(h.get(fields, 'quantity'), 'whole number of units'), '订购数量');
        const account = h.get(fields, 'account');
        return {
          head: {
            customerRef: account || null,
            email: null,
            phone: h.get(fields, 'phone') || null,
            status,
            paidTs: m(
              optional(h.get(fields, 'paidTs'), (s) => parseDateTime(s, ctx.timeZone)),
              '付款确认时间',
            ),
            currency: 'CNY',
            orderDiscount:
              orderAmount !== null && payable !== null ? Math.max(0, orderAmount - payable - balance) : 0,
            orderRefund: 0,
            channel: h.get(fields, 'channel') || h.get(fields, 'source') || null,
            country: 'CN',
            warehouse: h.get(fields, 'warehouse') || null,
            referralId: null,
          },
          line: {
            orderTs: m(parseDateTime(h.get(fields, 'orderTs'), ctx.timeZone), '下单时间'),
            lineId: null,
            sku: h.get(fields, 'itemNo') || h.get(fields, 'skuId') || null,
            productName: h.get(fields, 'productName') || null,
            category: null,
            quantity,
            unitPrice: m(parseMoneyNonNegative(h.get(fields, 'unitPrice'), 'price'), '京东价'),
            discount: 0,
            refund: 0,
            status: null,
          },
        };
      },
      headerLayout(h, 'orderId'),
    );
  },
};
