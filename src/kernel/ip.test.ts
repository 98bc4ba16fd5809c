import { describe, expect, it } from 'vitest';
import { isPublicIp, normalizeIp } from './ip.js';

describe('normalizeIp', () => {
  it.each([
    ['1.2.3.4', '1.2.3.4'],
    ['::ffff:1.2.3.4', '1.2.3.4'],
    ['::FFFF:0102:0304', '1.2.3.4'],
    ['::ffff:8.8.8.8', '8.8.8.8'],
    ['2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2A00:1450:4001:081A:0000:0000:0000:200E', '2a00:1450:4001:81a::200e'],
    ['fe80::1%eth0', 'fe80::1'],
    ['fe80::1%25en0', 'fe80::1'],
    ['::1', '::1'],
    [' 8.8.4.4 ', '8.8.4.4'],
  ])('%s -> %s', (input, expected) => {
    expect(normalizeIp(input)).toBe(expected);
  });

  it.each([
    'not-an-ip',
    '',
    '127.1',
    '2130706433',
    '0x7f.0.0.1',
    '010.0.0.1',
    '1.2.3.4%eth0',
    '[::1]',
    '1:2:3:4:5:6:7:8:9',
    '::1.2.3.4',
  ])('leaves unparsable %j unchanged', (input) => {
    expect(normalizeIp(input)).toBe(input);
  });
});

describe('isPublicIp', () => {
  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '81.2.69.142',
    '::ffff:8.8.8.8',
    '2001:4860:4860::8888',
    '2606:4700:4700::1111',
  ])('%s is public', (ip) => {
    expect(isPublicIp(ip)).toBe(true);
  });

  it.each([
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.10', 'private'],
    ['127.0.0.1', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'CGNAT'],
    ['100.127.255.254', 'CGNAT'],
    ['0.0.0.0', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['224.0.0.251', 'multicast'],
    ['192.0.2.1', 'documentation'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.9', 'documentation'],
    ['198.18.0.1', 'benchmarking'],
    ['240.0.0.1', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1%eth0', 'link-local'],
    ['fd12:3456:789a::1', 'unique-local'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'documentation'],
    ['::ffff:10.0.0.1', 'mapped private'],
    ['::ffff:127.0.0.1', 'mapped loopback'],
    ['64:ff9b::808:808', 'NAT64'],
    ['2002:808:808::1', '6to4'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo'],
    ['::102:304', 'outside 2000::/3'],
    ['not-an-ip', 'garbage'],
    ['127.1', 'legacy shorthand'],
  ])('%s is not public (%s)', (ip) => {
    expect(isPublicIp(ip)).toBe(false);
  });
});
