/**
 * Valid exports of every order layout, generated: one model of orders (ids, buyers, times, lines)
 * written out as each platform writes it — the fixture's header verbatim (test/fixtures/formats/), its
 * encoding, quoting, id guards, date style, status words and money style. The property tests damage
 * these files (damage.ts) and compare what ingest makes of them with what it makes of the originals.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { parseCsv } from '../../shared/csv/parser.ts';

export interface GenLine {
  sku: string;
  name: string;
  quantity: number;
  /** Unit price in cents. */
  price: number;
}

export interface GenOrder {
  n: number;
  buyer: string;
  /** Order time, epoch seconds (2021-2026). */
  ts: number;
  /** Index into the layout's status words. */
  status: number;
  lines: GenLine[];
  /** Order discount in cents (at most the order's value). */
  discount: number;
  /** Money written with thousands separators, a symbol or an Excel guard where the layout allows. */
  style: number;
}

export interface OrderLayout {
  /** The format detection must find. */
  format: string;
  file: string;
  encoding: 'utf-8' | 'gbk';
  bom?: boolean;
  delimiter: ',' | '\t';
  /** `none`: never quoted (Amazon); `minimal`: when a cell needs it; `all`: every cell (Taobao). */
  quoting: 'none' | 'minimal' | 'all';
  eol: '\n' | '\r\n';
  /** Lines before the header (eBay's `sep=,`). */
  preamble?: string;
  header: string[];
  /** Rows end with one empty field the header lacks (Taobao's item report). */
  trailingComma?: boolean;
  /** One row per order (Pinduoduo, Taobao's order report). */
  oneRowPerOrder?: boolean;
  /** The order id column; `unit: 'row'` for a format whose rows stand alone (generic). */
  idColumn: string;
  unit: 'order' | 'row';
  /** Amount and count cells: damaged with huge and negative numbers. */
  numbers: string[];
  /** Cells that must not be empty on any row. */
  required: string[];
  /** A paired half (Taobao): its partner's layout name. */
  partner?: string;
  /** The cells of an order's `i`-th line row, by header name (others are written empty). */
  cells(o: GenOrder, l: GenLine, i: number): Record<string, string>;
  /** What the platform writes in an empty cell. */
  empty?: string;
}

const pad = (v: number, n = 2) => String(v).padStart(n, '0');
const parts = (ts: number) => {
  const d = new Date(ts * 1000);
  return {
    y: d.getUTCFullYear(),
    mo: pad(d.getUTCMonth() + 1),
    d: pad(d.getUTCDate()),
    h: pad(d.getUTCHours()),
    mi: pad(d.getUTCMinutes()),
    s: pad(d.getUTCSeconds()),
    mon: d.toUTCString().slice(8, 11),
  };
};
const ymdhms = (ts: number) => {
  const p = parts(ts);
  return `${p.y}-${p.mo}-${p.d} ${p.h}:${p.mi}:${p.s}`;
};
const money = (cents: number) => `${Math.floor(cents / 100)}.${pad(cents % 100)}`;
/** `1,299.00` */
const grouped = (cents: number) => `${Math.floor(cents / 100).toLocaleString('en-US')}.${pad(cents % 100)}`;
const gross = (o: GenOrder) => o.lines.reduce((a, l) => a + l.quantity * l.price, 0);

// Not test/helpers.ts: that one needs vitest, and the bench runs these layouts too.
const fixture = (file: string) => fileURLToPath(new URL(`../fixtures/formats/${file}`, import.meta.url));

function headerOf(file: string, gbk = false, skipLines = 0): string[] {
  const bytes = readFileSync(fixture(file));
  const text = (gbk ? iconv.decode(bytes, 'gbk') : bytes.toString('utf8')).replace(/^\uFEFF/, '');
  const line = text.split(/\r?\n/)[skipLines]!;
  return parseCsv(line, file.endsWith('.txt') ? '\t' : ',')[0]!.fields;
}

const SHOPIFY_STATUS = ['paid', 'pending', 'refunded', 'partially_refunded', 'authorized', 'voided'];

export const LAYOUTS: OrderLayout[] = [
  {
    format: 'shopify',
    file: 'orders_export_1.csv',
    encoding: 'utf-8',
    delimiter: ',',
    quoting: 'minimal',
    eol: '\n',
    header: headerOf('shopify_orders_export_1.csv'),
    idColumn: 'Name',
    unit: 'order',
    numbers: ['Lineitem quantity', 'Lineitem price', 'Discount Amount'],
    required: ['Name', 'Created at', 'Lineitem quantity', 'Lineitem price'],
    cells(o, l, i) {
      const p = parts(o.ts);
      const price = [money, grouped, (c: number) => `$${money(c)}`, (c: number) => `'${money(c)}`][
        o.style % 4
      ]!(l.price);
      const line = {
        Name: `#${1000 + o.n}`,
        'Created at': `${p.y}-${p.mo}-${p.d} ${p.h}:${p.mi}:${p.s} -0500`,
        'Lineitem quantity': String(l.quantity),
        'Lineitem name': l.name,
        'Lineitem price': price,
        'Lineitem sku': l.sku,
      };
      if (i > 0) return line;
      const status = SHOPIFY_STATUS[o.status % SHOPIFY_STATUS.length]!;
      return {
        ...line,
        Email: `${o.buyer}@example.com`,
        'Financial Status': status,
        'Paid at': status === 'pending' ? '' : `${p.y}-${p.mo}-${p.d} ${p.h}:${p.mi}:${p.s} -0500`,
        'Fulfillment Status': o.status % 2 ? 'fulfilled' : '',
        Currency: 'USD',
        'Discount Amount': money(o.discount),
        'Refunded Amount': status === 'refunded' ? money(gross(o) - o.discount) : '0.00',
        Source: 'web',
        'Billing Country': 'US',
      };
    },
  },
  {
    format: 'amazon',
    file: 'amazon_all_orders.txt',
    encoding: 'utf-8',
    delimiter: '\t',
    quoting: 'none',
    eol: '\r\n',
    header: headerOf('amazon_all_orders.txt'),
    idColumn: 'amazon-order-id',
    unit: 'order',
    numbers: ['quantity', 'item-price'],
    required: ['amazon-order-id', 'purchase-date', 'order-status', 'quantity'],
    cells(o, l) {
      const p = parts(o.ts);
      return {
        'amazon-order-id': `112-${pad(o.n, 7)}-0000001`,
        'purchase-date': `${p.y}-${p.mo}-${p.d}T${p.h}:${p.mi}:${p.s}+00:00`,
        'order-status': ['Shipped', 'Pending', 'Cancelled', 'Shipped - Delivered to Buyer', 'Unshipped'][
          o.status % 5
        ]!,
        'fulfillment-channel': 'Amazon',
        'sales-channel': 'Amazon.com',
        'product-name': l.name,
        sku: l.sku,
        'item-status': 'Shipped',
        quantity: String(l.quantity),
        currency: 'USD',
        'item-price': money(l.quantity * l.price),
        'item-promotion-discount': o.discount > 0 ? `-${money(Math.min(o.discount, l.price))}` : '',
        'ship-country': 'US',
      };
    },
  },
  {
    format: 'jd',
    file: 'jd_orders.csv',
    encoding: 'gbk',
    delimiter: ',',
    quoting: 'minimal',
    eol: '\r\n',
    header: headerOf('jd_orders.csv', true),
    idColumn: '订单号',
    unit: 'order',
    numbers: ['订购数量', '京东价', '订单金额', '应付金额'],
    required: ['订单号', '订购数量', '下单时间', '京东价', '订单状态'],
    cells(o, l) {
      return {
        订单号: String(10_000_000_000 + o.n),
        商品ID: l.sku,
        商品名称: l.name,
        订购数量: String(l.quantity),
        下单时间: ymdhms(o.ts),
        京东价: money(l.price),
        订单金额: money(gross(o)),
        应付金额: money(gross(o) - o.discount),
        余额支付: '0.00',
        订单状态: ['完成', '等待出库', '已取消', '等待确认收货', '(删除)等待出库'][o.status % 5]!,
        下单帐号: o.buyer,
        货号: l.sku,
        订单渠道: '京东',
      };
    },
  },
  {
    format: 'pinduoduo',
    file: 'pinduoduo_orders.csv',
    encoding: 'utf-8',
    delimiter: ',',
    quoting: 'minimal',
    eol: '\n',
    header: headerOf('pinduoduo_orders.csv'),
    oneRowPerOrder: true,
    idColumn: '订单号',
    unit: 'order',
    numbers: ['商品数量(件)', '商品总价(元)', '店铺优惠折扣(元)'],
    required: ['订单号', '订单状态', '商品总价(元)'],
    cells(o, l) {
      return {
        商品: l.name,
        订单号: `231008-${pad(o.n, 12)}`,
        订单状态: ['已签收', '待发货', '已发货，待签收', '已取消', '未发货，退款成功'][o.status % 5]!,
        '商品数量(件)': String(l.quantity),
        支付时间: ymdhms(o.ts + 7),
        订单成交时间: ymdhms(o.ts),
        '商家编码-规格维度': l.sku,
        '商品总价(元)': money(l.quantity * l.price),
        '店铺优惠折扣(元)': money(Math.min(o.discount, l.quantity * l.price)),
        团ID: `G${o.n}`,
      };
    },
  },
  {
    format: 'douyin',
    file: 'douyin_orders.csv',
    encoding: 'utf-8',
    bom: true,
    delimiter: ',',
    quoting: 'minimal',
    eol: '\n',
    header: headerOf('douyin_orders.csv'),
    empty: '-',
    idColumn: '主订单编号',
    unit: 'order',
    numbers: ['商品数量', '商品单价', '商家优惠'],
    required: ['主订单编号', '商品数量', '商品单价', '订单提交时间', '订单状态'],
    cells(o, l, i) {
      return {
        主订单编号: `\t${6917926768823600000 + o.n}`,
        子订单编号: `\t${6917926768823600000 + o.n * 10 + i}`,
        选购商品: l.name,
        商品数量: String(l.quantity),
        商家编码: l.sku,
        商品单价: money(l.price),
        商家优惠: i === 0 ? money(Math.min(o.discount, l.quantity * l.price)) : '0',
        订单提交时间: ymdhms(o.ts),
        支付完成时间: ymdhms(o.ts + 5),
        流量来源: '直播',
        订单状态: ['已完成', '已发货', '待发货', '已关闭', '已取消'][o.status % 5]!,
        仓库名称: '杭州仓',
      };
    },
  },
  {
    format: 'tiktok',
    file: 'tiktok_orders.csv',
    encoding: 'utf-8',
    bom: true,
    delimiter: ',',
    quoting: 'minimal',
    eol: '\n',
    header: headerOf('tiktok_orders.csv'),
    idColumn: 'Order ID',
    unit: 'order',
    numbers: ['Quantity', 'SKU Unit Original Price', 'SKU Seller Discount'],
    required: ['Order ID', 'Order Status', 'Quantity', 'SKU Unit Original Price', 'Created Time'],
    cells(o, l, i) {
      const p = parts(o.ts);
      return {
        'Order ID': `${583870900000000000 + o.n}\t`,
        'Order Status': ['Completed', 'Shipped', 'Cancelled', 'Awaiting shipment', 'Delivered'][
          o.status % 5
        ]!,
        'SKU ID': `${1729000000000000000 + i}\t`,
        'Seller SKU': l.sku,
        'Product Name': l.name,
        Quantity: String(l.quantity),
        'Sku Quantity of return': '0',
        'SKU Unit Original Price': money(l.price),
        'SKU Seller Discount': i === 0 ? money(Math.min(o.discount, l.quantity * l.price)) : '0',
        'Order Refund Amount': '0',
        'Created Time': `${p.d}/${p.mo}/${p.y} ${p.h}:${p.mi}:${p.s}\t`,
        'Buyer Username': o.buyer,
        Country: 'Thailand',
      };
    },
  },
  {
    format: 'woocommerce',
    file: 'woocommerce_orders.csv',
    encoding: 'utf-8',
    delimiter: ',',
    quoting: 'minimal',
    eol: '\r\n',
    header: headerOf('woocommerce_orders.csv'),
    idColumn: 'Order Number',
    unit: 'order',
    numbers: ['Quantity (- Refund)', 'Item Cost', 'Order Refund Amount'],
    required: ['Order Number', 'Quantity (- Refund)', 'Item Cost'],
    cells(o, l) {
      const p = parts(o.ts);
      return {
        'Order Number': String(1000 + o.n),
        'Order Status': ['Completed', 'Processing', 'On hold', 'Cancelled', 'Refunded'][o.status % 5]!,
        'Order Date': `${p.y}-${p.mo}-${p.d} ${p.h}:${p.mi}`,
        'Email (Billing)': `${o.buyer}@example.com`,
        'Country Code (Shipping)': 'PT',
        'Order Refund Amount': '0.00',
        SKU: l.sku,
        'Item Name': l.name,
        'Quantity (- Refund)': String(l.quantity),
        'Item Cost': money(l.price),
      };
    },
  },
  {
    format: 'ebay',
    file: 'ebay_orders.csv',
    encoding: 'utf-8',
    delimiter: ',',
    quoting: 'minimal',
    eol: '\n',
    preamble: 'sep=,\n',
    header: headerOf('ebay_orders.csv', false, 1),
    idColumn: 'Order Number',
    unit: 'order',
    numbers: ['Quantity', 'Sold For'],
    required: ['Order Number', 'Quantity', 'Sold For', 'Sale Date'],
    cells(o, l, i) {
      const p = parts(o.ts);
      const date = `${p.mon}-${p.d}-${String(p.y).slice(2)}`;
      return {
        'Sales Record Number': String(1200 + o.n),
        'Order Number': `12-34567-${pad(o.n, 5)}`,
        'Buyer Username': o.buyer,
        'Buyer Email': `${o.buyer}@example.com`,
        'Item Title': l.name,
        'Custom Label': l.sku,
        Quantity: String(l.quantity),
        'Sold For': [`$${money(l.price)}`, `£${money(l.price)}`, `US $${grouped(l.price)}`][o.style % 3]!,
        'Sale Date': date,
        'Paid On Date': o.status % 3 ? date : '',
        'Shipped On Date': o.status % 3 === 2 ? date : '',
        'Transaction ID': String(2750000000000 + o.n * 10 + i),
      };
    },
  },
  {
    format: 'taobao-items',
    file: 'ExportOrderDetailList201707111200.csv',
    encoding: 'gbk',
    delimiter: ',',
    quoting: 'all',
    eol: '\r\n',
    header: headerOf('taobao_ExportOrderDetailList201707111200.csv', true),
    trailingComma: true,
    partner: 'taobao-orders',
    idColumn: '订单编号',
    unit: 'order',
    numbers: ['价格', '购买数量'],
    required: ['订单编号', '价格', '购买数量'],
    cells(o, l) {
      return {
        订单编号: `="${401827730000000 + o.n}"`,
        标题: l.name,
        价格: money(l.price),
        购买数量: String(l.quantity),
        外部系统编号: l.sku,
        订单状态: TAOBAO_STATUS[o.status % TAOBAO_STATUS.length]!,
        商家编码: l.sku,
      };
    },
  },
  {
    format: 'taobao-orders',
    file: 'ExportOrderList201707111200.csv',
    encoding: 'gbk',
    delimiter: ',',
    quoting: 'all',
    eol: '\r\n',
    header: headerOf('taobao_ExportOrderList201707111200.csv', true),
    oneRowPerOrder: true,
    partner: 'taobao-items',
    idColumn: '订单编号',
    unit: 'order',
    numbers: ['买家应付货款', '退款金额'],
    required: ['订单编号', '买家应付货款', '订单状态', '订单创建时间'],
    cells(o) {
      const status = TAOBAO_STATUS[o.status % TAOBAO_STATUS.length]!;
      return {
        订单编号: `="${401827730000000 + o.n}"`,
        买家会员名: o.buyer,
        买家应付货款: money(gross(o) - o.discount),
        订单状态: status,
        联系手机: "'13925130165",
        订单创建时间: ymdhms(o.ts),
        订单付款时间: status === '等待买家付款' ? '' : ymdhms(o.ts + 8),
        店铺名称: '示例旗舰店',
        退款金额: '0.00',
        是否手机订单: '手机订单',
      };
    },
  },
  {
    format: 'generic',
    file: 'orders.csv',
    encoding: 'utf-8',
    delimiter: ',',
    quoting: 'minimal',
    eol: '\n',
    header: [
      'order_id',
      'line_id',
      'customer_id',
      'order_ts',
      'sku',
      'product_name',
      'quantity',
      'unit_price',
      'currency',
      'status',
      'discount',
    ],
    idColumn: 'order_id',
    unit: 'row',
    numbers: ['quantity', 'unit_price', 'discount'],
    required: ['order_id', 'customer_id', 'order_ts', 'sku', 'quantity', 'unit_price', 'currency', 'status'],
    cells(o, l, i) {
      const p = parts(o.ts);
      return {
        order_id: `G-${o.n}`,
        line_id: String(i + 1),
        customer_id: o.buyer,
        order_ts: `${p.y}-${p.mo}-${p.d}T${p.h}:${p.mi}:${p.s}Z`,
        sku: l.sku,
        product_name: l.name,
        quantity: String(l.quantity),
        unit_price: money(l.price),
        currency: 'USD',
        status: ['completed', 'paid', 'shipped', 'cancelled', 'pending'][o.status % 5]!,
        discount: i === 0 ? money(Math.min(o.discount, l.quantity * l.price)) : '',
      };
    },
  },
];

const TAOBAO_STATUS = [
  '交易成功',
  '交易关闭',
  '买家已付款，等待卖家发货',
  '等待买家付款',
  '卖家已发货，等待买家确认',
];

export const layoutNamed = (format: string): OrderLayout => LAYOUTS.find((l) => l.format === format)!;

/** Product names: commas, quotes, line breaks (where the layout quotes), other scripts, guards. */
const NAMES = [
  'Tea, green',
  'Mug "Blue"',
  'Pillow Cover 12" x 18"',
  "O'Brien's scarf",
  '保温杯 500ml',
  '棉麻衬衫，白色',
  '=1+1',
  'Socks',
  'Lens Cap 52mm',
  'line one\nline two',
];

const lineArb = fc.record({
  sku: fc.constantFrom('SKU-1', 'SKU-2', 'CUP-1', 'A-0001', '12345'),
  name: fc.constantFrom(...NAMES),
  quantity: fc.integer({ min: 1, max: 5 }),
  price: fc.integer({ min: 0, max: 250_000 }),
});

/** 1-6 orders of 1-3 lines (one line where the layout has one row per order). */
export function ordersArb(layout: OrderLayout): fc.Arbitrary<GenOrder[]> {
  return fc
    .array(
      fc.record({
        buyer: fc.constantFrom('alice', 'bob_2', 'tb_buyer', 'jd-buyer', 'carol'),
        // 2021-01-01 to 2026-10-31 UTC: within what the lake covers (ingest refuses future times).
        ts: fc.integer({ min: 1_609_459_200, max: 1_793_491_199 }),
        status: fc.nat(20),
        lines: fc.array(lineArb, { minLength: 1, maxLength: layout.format === 'pinduoduo' ? 1 : 3 }),
        discountShare: fc.integer({ min: 0, max: 30 }),
        style: fc.nat(11),
      }),
      { minLength: 1, maxLength: 6 },
    )
    .map((orders) =>
      orders.map(({ discountShare, ...o }, n) => {
        const value = o.lines.reduce((a, l) => a + l.quantity * l.price, 0);
        return {
          ...o,
          n: n + 1,
          lines: o.lines.map((l, i) => ({ ...l, sku: `${l.sku}-${i}` })),
          discount: Math.floor((value * discountShare) / 100),
        };
      }),
    );
}

/** The rows of a layout: header first, then one row per line (one per order where so). */
export function rowsOf(
  layout: OrderLayout,
  orders: readonly GenOrder[],
): { cells: string[]; order: number }[] {
  const rows: { cells: string[]; order: number }[] = [];
  for (const o of orders) {
    // Taobao's order report has one row per order, whatever its items.
    const lines = layout.format === 'taobao-orders' ? o.lines.slice(0, 1) : o.lines;
    lines.forEach((l, i) => {
      const byName = layout.cells(o, l, i);
      const cells = layout.header.map((h) => byName[h.trim()] ?? layout.empty ?? '');
      if (layout.trailingComma) cells.push('');
      rows.push({ cells, order: o.n });
    });
  }
  return rows;
}

function quote(layout: OrderLayout, v: string): string {
  if (layout.quoting === 'none') return v.replace(/[\t\r\n]/g, ' ');
  if (layout.quoting === 'all' || /[",\t\r\n]/.test(v) || v !== v.trim()) {
    // A trailing TAB guard (TikTok) is written unquoted by the platform: only quote what needs it.
    if (layout.quoting !== 'all' && !/[",\r\n]/.test(v) && layout.delimiter === ',') return v;
    return `"${v.replace(/"/g, '""')}"`;
  }
  return v;
}

/** The file's text, and where each data row starts in it (characters). */
export function writeText(
  layout: OrderLayout,
  rows: readonly (readonly string[])[],
): { text: string; rowStarts: number[]; headerEnd: number } {
  const line = (cells: readonly string[], trailing = false) =>
    cells
      .map((c, i) => (trailing && i === cells.length - 1 && c === '' ? '' : quote(layout, c)))
      .join(layout.delimiter);
  let text = (layout.bom ? '\uFEFF' : '') + (layout.preamble ?? '') + line(layout.header) + layout.eol;
  const headerEnd = text.length;
  const rowStarts: number[] = [];
  for (const r of rows) {
    rowStarts.push(text.length);
    text += line(r, layout.trailingComma) + layout.eol;
  }
  return { text, rowStarts, headerEnd };
}

export function encode(layout: OrderLayout, text: string): Uint8Array {
  return layout.encoding === 'gbk' ? iconv.encode(text, 'gbk') : Buffer.from(text, 'utf8');
}

export const decode = (layout: OrderLayout, bytes: Uint8Array): string =>
  layout.encoding === 'gbk' ? iconv.decode(Buffer.from(bytes), 'gbk') : Buffer.from(bytes).toString('utf8');
