// Placeholder until the metadata chain lands: header facts only.
import type { DescribeResult } from './types.js';
export type { DescribeResult, ImageMetrics } from './types.js';

export async function describeImage(_path: string): Promise<DescribeResult> {
  return { metrics: { data: { attributes: {} }, type: 'container', format: 'unknown', source: 'header' }, warnings: [] };
}
