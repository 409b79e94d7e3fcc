/**
 * Generated orders in more marketplaces' real layouts, for the demo: Amazon's All Orders report
 * (tab-separated, unquoted, no buyer), Taobao's order and item reports (GBK, every cell quoted,
 * `="…"` order numbers, amounts in CNY) and TikTok Shop's orders export (BOM, TAB-padded ids,
 * day-first times). Layouts: ../shared/marketplace-layouts.md §2, §3, §7.
 */
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import iconv from 'iconv-lite';
import type { SynthOrder } from './orders.ts';

/** Yuan per US dollar in the demo (the FX file carries its inverse per day). */
export const DEMO_CNY_PER_USD = 7.1;

const pad = (n: number): string => String(n).padStart(2, '0');
const money = (v: number): string => v.toFixed(2);
const gross = (o: SynthOrder) => o.lines.reduce((a, l) => a + l.quantity * l.product.price, 0);

/** A text file in a platform's own encoding, delimiter and quoting, written through a stream. */
export class ExportFileWriter {
  private readonly out: WriteStream;
  private buffer = '';
  lines = 0;
  constructor(
    path: string,
    header: readonly string[],
    private readonly style: {
      delimiter: ',' | '\t';
      quote: 'all' | 'minimal' | 'never';
      encoding: 'utf-8' | 'gbk';
      bom?: boolean;
      lineEnd: '\n' | '\r\n';
    },
  ) {
    this.out = createWriteStream(path);
    if (style.bom) this.out.write('\ufeff');
    this.buffer = this.line(header);
  }
  private cell(v: string): string {
    const { quote, delimiter } = this.style;
    if (quote === 'never') return v;
    if (quote === 'all' || v.includes('"') || v.includes(delimiter) || /[\r\n]/.test(v)) {
      return `"${v.replaceAll('"', '""')}"`;
    }
    return v;
  }
  private line(values: readonly string[]): string {
    return values.map((v) => this.cell(v)).join(this.style.delimiter) + this.style.lineEnd;
  }
  async write(rows: readonly (readonly string[])[]): Promise<void> {
    for (const r of rows) {
      this.buffer += this.line(r);
      this.lines++;
    }
    if (this.buffer.length > 1 << 20) await this.drain();
  }
  private async drain(): Promise<void> {
    const bytes = this.style.encoding === 'gbk' ? iconv.encode(this.buffer, 'gbk') : this.buffer;
    if (!this.out.write(bytes)) await once(this.out, 'drain');
    this.buffer = '';
  }
  async close(): Promise<void> {
    await this.drain();
    this.out.end();
    await once(this.out, 'finish');
  }
}

// ---- Amazon All Orders report --------------------------------------------------------------

export const AMAZON_HEADER = [
  'amazon-order-id',
  'merchant-order-id',
  'purchase-date',
  'last-updated-date',
  'order-status',
  'fulfillment-channel',
  'sales-channel',
  'order-channel',
  'url',
  'ship-service-level',
  'product-name',
  'sku',
  'asin',
  'item-status',
  'quantity',
  'currency',
  'item-price',
  'item-tax',
  'shipping-price',
  'shipping-tax',
  'gift-wrap-price',
  'gift-wrap-tax',
  'item-promotion-discount',
  'ship-promotion-discount',
  'ship-city',
  'ship-state',
  'ship-postal-code',
  'ship-country',
  'promotion-ids',
  'is-business-order',
  'purchase-order-number',
  'price-designation',
] as const;

const AMAZON_STATUS: Record<SynthOrder['status'], string> = {
  pending: 'Pending',
  paid: 'Unshipped',
  shipped: 'Shipped',
  completed: 'Shipped - Delivered to Buyer',
  cancelled: 'Cancelled',
  refunded: 'Shipped - Returned to Seller',
  partially_refunded: 'Shipped',
};

export function amazonRows(o: SynthOrder): string[][] {
  const id = `114-${String(o.number).padStart(7, '0')}-${String((o.number * 7919) % 10_000_000).padStart(7, '0')}`;
  const at = `${new Date(o.createdAt).toISOString().slice(0, 19)}+00:00`;
  const total = gross(o);
  return o.lines.map((l) => {
    const share = total > 0 ? (l.quantity * l.product.price) / total : 0;
    const row: Record<string, string> = {
      'amazon-order-id': id,
      'merchant-order-id': id,
      'purchase-date': at,
      'last-updated-date': at,
      'order-status': AMAZON_STATUS[o.status],
      'fulfillment-channel': 'Amazon',
      'sales-channel': 'Amazon.com',
      'ship-service-level': 'Standard',
      'product-name': l.product.name,
      sku: l.product.sku,
      asin: `B0${String(Math.abs(hash(l.product.sku)))
        .padStart(8, '0')
        .slice(0, 8)}`,
      'item-status':
        o.status === 'cancelled' ? 'Cancelled' : o.status === 'pending' ? 'Unshipped' : 'Shipped',
      quantity: String(l.quantity),
      currency: 'USD',
      'item-price': o.status === 'pending' ? '' : money(l.quantity * l.product.price),
      'item-promotion-discount': o.discount ? money(-o.discount * share) : '',
      'ship-city': 'SEATTLE',
      'ship-state': 'WA',
      'ship-postal-code': '98101',
      'ship-country': o.customer.country,
      'is-business-order': 'false',
    };
    return AMAZON_HEADER.map((h) => row[h] ?? '');
  });
}

function hash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
  return h;
}

// ---- Taobao order report + item report (GBK) -------------------------------------------------

export const TAOBAO_ORDER_HEADER = [
  '订单编号',
  '买家会员名',
  '买家支付宝账号',
  '支付单号',
  '支付详情',
  '买家应付货款',
  '买家应付邮费',
  '买家支付积分',
  '总金额',
  '返点积分',
  '买家实际支付金额',
  '买家实际支付积分',
  '订单状态',
  '买家留言',
  '收货人姓名',
  '收货地址 ',
  '运送方式',
  '联系电话 ',
  '联系手机',
  '订单创建时间',
  '订单付款时间 ',
  '宝贝标题 ',
  '宝贝种类 ',
  '物流单号 ',
  '物流公司',
  '订单备注',
  '宝贝总数量',
  '店铺Id',
  '店铺名称',
  '订单关闭原因',
  '卖家服务费',
  '买家服务费',
  '发票抬头',
  '是否手机订单',
  '分阶段订单信息',
  '特权订金订单id',
  '是否上传合同照片',
  '是否上传小票',
  '是否代付',
  '定金排名',
  '修改后的sku',
  '修改后的收货地址',
  '异常信息',
  '天猫卡券抵扣',
  '集分宝抵扣',
  '是否是O2O交易',
  '新零售交易类型',
  '新零售导购门店名称',
  '新零售导购门店id',
  '新零售发货门店名称',
  '新零售发货门店id',
  '退款金额',
  '预约门店',
  '确认收货时间',
  '打款商家金额',
  '含应开票给个人的个人红包',
  '是否信用购',
  '体验期结束时间',
  '前N有礼',
  '配送类型',
  '主订单编号',
] as const;
export const TAOBAO_ITEM_HEADER = [
  '订单编号',
  '标题',
  '价格',
  '购买数量',
  '外部系统编号',
  '商品属性',
  '套餐信息',
  '备注',
  '订单状态',
  '商家编码',
] as const;

const TAOBAO_STATUS: Record<SynthOrder['status'], string> = {
  pending: '等待买家付款',
  paid: '买家已付款，等待卖家发货',
  shipped: '卖家已发货，等待买家确认',
  completed: '交易成功',
  cancelled: '交易关闭',
  refunded: '交易关闭',
  partially_refunded: '交易成功',
};

/** Beijing wall-clock time, as Taobao writes it. */
function beijing(ms: number): string {
  const d = new Date(ms + 8 * 3_600_000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

const yuan = (usd: number) => Math.round(usd * DEMO_CNY_PER_USD * 100) / 100;
const taobaoId = (o: SynthOrder) => String(4_018_277_301_290_000_000n + BigInt(o.number));
export const taobaoBuyer = (o: SynthOrder) => `tb_${o.customer.lastName.toLowerCase()}${o.customer.index}`;

export function taobaoOrderRow(o: SynthOrder): string[] {
  const goods = o.lines.reduce((a, l) => a + l.quantity * yuan(l.product.price), 0);
  const payable = Math.max(0, goods - yuan(o.discount));
  const paid = o.status !== 'pending' && !(o.status === 'cancelled');
  const refund = o.status === 'refunded' ? payable : o.status === 'partially_refunded' ? yuan(o.refund) : 0;
  const row: Record<string, string> = {
    订单编号: `="${taobaoId(o)}"`,
    买家会员名: taobaoBuyer(o),
    买家支付宝账号: '**',
    买家应付货款: money(payable),
    买家应付邮费: '0.00',
    买家支付积分: '0',
    总金额: money(payable),
    买家实际支付金额: paid ? money(payable) : '0.00',
    订单状态: TAOBAO_STATUS[o.status],
    收货人姓名: '张三',
    '收货地址 ': '浙江省 杭州市 西湖区 文三路 1号(310000)',
    运送方式: '快递',
    联系手机: `'139${String(o.customer.index).padStart(8, '0')}`,
    订单创建时间: beijing(o.createdAt),
    '订单付款时间 ': paid ? beijing(o.createdAt + 60_000) : '',
    '宝贝标题 ': o.lines.map((l) => l.product.name).join('，'),
    '宝贝种类 ': String(o.lines.length),
    宝贝总数量: String(o.lines.reduce((a, l) => a + l.quantity, 0)),
    店铺Id: '0',
    店铺名称: '示例旗舰店',
    订单关闭原因: o.status === 'cancelled' ? '买家未付款' : o.status === 'refunded' ? '退款' : '订单未关闭',
    卖家服务费: '0',
    买家服务费: '0元',
    是否手机订单: o.number % 3 ? '手机订单' : '',
    特权订金订单id: '=""',
    退款金额: money(refund),
    打款商家金额: `${money(paid ? payable - refund : 0)}元`,
    主订单编号: `="${taobaoId(o)}"`,
  };
  return TAOBAO_ORDER_HEADER.map((h) => row[h] ?? '');
}

export function taobaoItemRows(o: SynthOrder): string[][] {
  return o.lines.map((l) => {
    const row: Record<string, string> = {
      订单编号: `="${taobaoId(o)}"`,
      标题: l.product.name,
      价格: money(yuan(l.product.price)),
      购买数量: String(l.quantity),
      外部系统编号: l.product.sku,
      商品属性: '颜色分类：默认',
      订单状态: TAOBAO_STATUS[o.status],
      商家编码: l.product.sku,
    };
    // Every item row ends with a comma the header lacks, as 千牛 writes it.
    return [...TAOBAO_ITEM_HEADER.map((h) => row[h] ?? ''), ''];
  });
}

// ---- TikTok Shop orders export -------------------------------------------------------------

export const TIKTOK_HEADER = [
  'Order ID',
  'Order Status',
  'Order Substatus',
  'Cancelation/Return Type',
  'Normal or Pre-order',
  'SKU ID',
  'Seller SKU',
  'Product Name',
  'Variation',
  'Quantity',
  'Sku Quantity of return',
  'SKU Unit Original Price',
  'SKU Subtotal Before Discount',
  'SKU Platform Discount',
  'SKU Seller Discount',
  'SKU Subtotal After Discount',
  'Shipping Fee After Discount',
  'Original Shipping Fee',
  'Shipping Fee Seller Discount',
  'Shipping Fee Platform Discount',
  'Payment platform discount',
  'Taxes',
  'Small Order Fee',
  'Order Amount',
  'Order Refund Amount',
  'Created Time',
  'Paid Time',
  'RTS Time',
  'Shipped Time',
  'Delivered Time',
  'Cancelled Time',
  'Cancel By',
  'Cancel Reason',
  'Fulfillment Type',
  'Warehouse Name',
  'Tracking ID',
  'Delivery Option',
  'Shipping Provider Name',
  'Buyer Message',
  'Buyer Username',
  'Recipient',
  'Phone #',
  'Zipcode',
  'Country',
  'Province',
  'District',
  'Detail Address',
  'Additional address information',
  'Payment Method',
  'Weight(kg)',
  'Product Category',
  'Package ID',
  'Seller Note',
  'Checked Status',
  'Checked Marked by',
] as const;

const TIKTOK_STATUS: Record<SynthOrder['status'], [string, string]> = {
  pending: ['Unpaid', 'Unpaid'],
  paid: ['To ship', 'Awaiting shipment'],
  shipped: ['Shipped', 'In transit'],
  completed: ['Completed', 'Completed'],
  cancelled: ['Cancelled', 'Cancelled'],
  refunded: ['Cancelled', 'Cancelled'],
  partially_refunded: ['Completed', 'Completed'],
};

/** Day-first, as TikTok writes it outside the US, in UTC (the demo shop's zone). */
function dayFirst(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

export function tiktokRows(o: SynthOrder): string[][] {
  const [status, sub] = TIKTOK_STATUS[o.status];
  const total = gross(o);
  const cents = (v: number) => Math.round(v * 100) / 100;
  // A full refund gives back what the buyer paid: the lines after their (rounded) seller discounts.
  const paid = o.lines.reduce((a, l) => {
    const share = total > 0 ? (l.quantity * l.product.price) / total : 0;
    return a + cents(l.quantity * l.product.price) - cents(o.discount * share);
  }, 0);
  const refund = o.status === 'refunded' ? paid : o.refund;
  return o.lines.map((l) => {
    const share = total > 0 ? (l.quantity * l.product.price) / total : 0;
    const before = l.quantity * l.product.price;
    const sellerDiscount = o.discount * share;
    const row: Record<string, string> = {
      'Order ID': `${5_838_709_000_000_000 + o.number}\t`,
      'Order Status': status,
      'Order Substatus': sub,
      'Cancelation/Return Type':
        o.status === 'refunded' ? 'Return/Refund' : o.status === 'cancelled' ? 'Cancel' : '',
      'Normal or Pre-order': 'Normal',
      'SKU ID': `${1_729_000_000_000_000 + Math.abs(hash(l.product.sku) % 1_000_000)}\t`,
      'Seller SKU': l.product.sku,
      'Product Name': l.product.name,
      Variation: 'Default',
      Quantity: String(l.quantity),
      'Sku Quantity of return': o.status === 'refunded' ? String(l.quantity) : '0',
      'SKU Unit Original Price': money(l.product.price),
      'SKU Subtotal Before Discount': money(before),
      'SKU Platform Discount': '0.00',
      'SKU Seller Discount': money(sellerDiscount),
      'SKU Subtotal After Discount': money(before - sellerDiscount),
      'Order Amount': money(total - o.discount),
      'Order Refund Amount': money(refund),
      'Created Time': `${dayFirst(o.createdAt)}\t`,
      'Paid Time': o.status === 'pending' ? '' : `${dayFirst(o.createdAt + 60_000)}\t`,
      'Fulfillment Type': 'Fulfillment by seller',
      'Warehouse Name': 'US West',
      'Buyer Username': `tt_${o.customer.firstName.toLowerCase()}${o.customer.index}`,
      Country: o.customer.country,
      'Payment Method': 'Credit card',
      'Product Category': l.product.category,
    };
    return TIKTOK_HEADER.map((h) => row[h] ?? '');
  });
}
