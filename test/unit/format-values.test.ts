import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config.ts';
import { detectFormat } from '../../shared/formats/registry.ts';
import { cleanCell, isBad, parseDateTime, parseMoney } from '../../shared/formats/values.ts';

const iso = (v: number | { reason: string }) =>
  typeof v === 'number' ? new Date(v).toISOString() : v.reason;

describe('cells as platforms guard them', () => {
  it('unwraps Excel formula guards, apostrophes and TAB padding', () => {
    expect(cleanCell('="401827730129001"')).toBe('401827730129001');
    expect(cleanCell("'13925130165")).toBe('13925130165');
    expect(cleanCell('\t6917926768823643751')).toBe('6917926768823643751');
    expect(cleanCell('583870900000000001\t')).toBe('583870900000000001');
    expect(cleanCell('=""')).toBe('');
    expect(cleanCell('a=b')).toBe('a=b');
  });
});

describe('money as exports write it', () => {
  it.each([
    ['1,234.50', 1234.5],
    ['$12.90', 12.9],
    ['￥88', 88],
    ['267.80元', 267.8],
    ['-$3.00', -3],
    ['$-3.00', -3],
    ['12.90 USD', 12.9],
    ['£6.50', 6.5],
    ['฿1,200', 1200],
    ['0元', 0],
  ])('%s -> %d', (raw, value) => expect(parseMoney(raw)).toBe(value));
  it.each(['1.234,50', '12e3', '1,23', '$', 'abc', '12.5.0'])('%s is not an amount', (raw) =>
    expect(isBad(parseMoney(raw))).toBe(true),
  );
});

describe('date-times as exports write them', () => {
  it('reads the platform styles, wall-clock in the given zone', () => {
    expect(iso(parseDateTime('2017-07-08 00:42:32', 'Asia/Shanghai'))).toBe('2017-07-07T16:42:32.000Z');
    expect(iso(parseDateTime('2017/07/08 00:42', 'Asia/Shanghai'))).toBe('2017-07-07T16:42:00.000Z');
    expect(iso(parseDateTime('14/03/2026 18:05:11', 'Asia/Bangkok', 'dmy'))).toBe('2026-03-14T11:05:11.000Z');
    expect(iso(parseDateTime('03/14/2026 06:05:11 PM', 'America/New_York', 'mdy'))).toBe(
      '2026-03-14T22:05:11.000Z',
    );
    expect(iso(parseDateTime('03/14/2026 12:00:00 AM', 'UTC'))).toBe('2026-03-14T00:00:00.000Z');
    expect(iso(parseDateTime('Jul-21-25', 'UTC'))).toBe('2025-07-21T00:00:00.000Z');
    expect(iso(parseDateTime('2020-02-18T05:05:21+00:00', 'Asia/Shanghai'))).toBe('2020-02-18T05:05:21.000Z');
  });
  it('rejects impossible ones with the reason', () => {
    expect(iso(parseDateTime('31/04/2026 10:00', 'UTC', 'dmy'))).toBe('no such date: "31/04/2026 10:00"');
    expect(iso(parseDateTime('03/14/2026 13:00:00 PM', 'UTC'))).toBe(
      'no such time: "03/14/2026 13:00:00 PM"',
    );
    expect(iso(parseDateTime('Jux-21-25', 'UTC'))).toBe('not a date-time: "Jux-21-25"');
  });
});

describe('older and newer headers of a platform', () => {
  const amazon =
    'amazon-order-id merchant-order-id purchase-date last-updated-date order-status fulfillment-channel sales-channel order-channel url ship-service-level product-name sku asin item-status quantity currency item-price item-tax shipping-price shipping-tax gift-wrap-price gift-wrap-tax item-promotion-discount ship-promotion-discount ship-city ship-state ship-postal-code ship-country promotion-ids is-business-order purchase-order-number price-designation'.split(
      ' ',
    );
  it('Amazon: the SP-API 31 columns (no url) and the 2024 download (+ is-iba)', () => {
    expect(
      detectFormat(
        'a',
        amazon.filter((c) => c !== 'url'),
      ).name,
    ).toBe('amazon');
    expect(detectFormat('a', [...amazon, 'is-iba']).name).toBe('amazon');
  });
  it('Taobao: the 2017 order report (46 columns) as well as 2019 (61)', () => {
    const y2017 =
      '订单编号,买家会员名,买家支付宝账号,买家应付货款,买家应付邮费,买家支付积分,总金额,返点积分,买家实际支付金额,买家实际支付积分,订单状态,买家留言,收货人姓名,收货地址 ,运送方式,联系电话 ,联系手机,订单创建时间,订单付款时间 ,宝贝标题 ,宝贝种类 ,物流单号 ,物流公司,订单备注,宝贝总数量,店铺Id,店铺名称,订单关闭原因,卖家服务费,买家服务费,发票抬头,是否手机订单,分阶段订单信息,特权订金订单id,是否上传合同照片,是否上传小票,是否代付,定金排名,修改后的sku,修改后的收货地址,异常信息,天猫卡券抵扣,集分宝抵扣,是否是O2O交易,退款金额,预约门店'.split(
        ',',
      );
    expect(y2017).toHaveLength(46);
    expect(detectFormat('t', y2017).name).toBe('taobao-orders');
  });
  it('JD: the 2015 layout (30 columns) and the later one with 10 more', () => {
    const jd =
      '订单号,商品ID,商品名称,订购数量,支付方式,下单时间,京东价,订单金额,结算金额,余额支付,应付金额,订单状态,订单类型,下单帐号,客户姓名,客户地址,联系电话,订单备注,发票类型,发票抬头,发票内容,商家备注,商家备注等级（等级1-5为由高到低）,运费金额,付款确认时间,增值税发票,货号,订单完成时间,订单来源,订单渠道'.split(
        ',',
      );
    expect(detectFormat('j', jd).name).toBe('jd');
    const later =
      '送装服务,服务费,仓库id,仓库名称,普通发票纳税编号,商家SKUID,邮箱地址,邮政编码,是否为品牌商订单,是否为toplife订单';
    expect(detectFormat('j', [...jd, ...later.split(',')]).name).toBe('jd');
  });
  it('Pinduoduo: a merchant-chosen subset with the old 拼单成功时间 name', () => {
    expect(
      detectFormat('p', [
        '商品',
        '订单号',
        '订单状态',
        '商品数量(件)',
        '拼单成功时间',
        '商品总价(元)',
        '团ID',
      ]).name,
    ).toBe('pinduoduo');
  });
});

describe('platform configuration', () => {
  it('reads per-source time zones and the shop currency, failing fast on bad ones', () => {
    const c = loadConfig({
      STOREPULSE_SOURCE_TIME_ZONES: 'tiktok=Asia/Bangkok, taobao=Asia/Shanghai',
      STOREPULSE_SHOP_CURRENCY: 'THB',
    });
    expect(c.sourceTimeZones).toEqual({ tiktok: 'Asia/Bangkok', taobao: 'Asia/Shanghai' });
    expect(c.shopCurrency).toBe('THB');
    expect(loadConfig({ STOREPULSE_REPORTING_CURRENCY: 'EUR' }).shopCurrency).toBe('EUR');
    expect(() => loadConfig({ STOREPULSE_SOURCE_TIME_ZONES: 'tiktok=Mars/Base' })).toThrow(
      /unknown time zone "Mars\/Base"/,
    );
    expect(() => loadConfig({ STOREPULSE_SOURCE_TIME_ZONES: 'tiktok' })).toThrow(/must look like/);
  });
});
