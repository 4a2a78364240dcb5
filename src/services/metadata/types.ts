// The shape of image metadata stored in the library's `metrics` column. It keeps the layout of
// `singularity inspect --json` ({data:{attributes}, type}) so sregistry-cli readers understand it,
// and adds the SIF facts sreg learns natively.

export interface InspectAttributes {
  labels?: Record<string, string>;
  deffile?: string;
  runscript?: string;
  startscript?: string;
  test?: string;
  helpfile?: string;
  /** in-container path -> script text, as `inspect --json` gives it */
  environment?: Record<string, string>;
  apps?: Record<string, unknown>;
}

export interface SifPartitionFacts {
  id: number;
  fstype: string;
  parttype: string;
  arch: string;
  offset: number;
  size: number;
}

export interface SifFacts {
  version: string;
  arch: string;
  uuid: string;
  created: number;
  modified: number;
  descriptors: Array<{ id: number; type: string; group: number | null; link: string | null; offset: number; size: number; name: string }>;
  partitions: SifPartitionFacts[];
  signatures: Array<{ id: number; hashType: string; entity: string }>;
  ociSif: boolean;
}

export type ImageFormat = 'sif' | 'squashfs' | 'ext3' | 'unknown';
export type MetadataSource = 'sif-descriptor' | 'inspect' | 'unsquashfs' | 'header';

export interface ImageMetrics {
  data: { attributes: InspectAttributes };
  type: 'container';
  format: ImageFormat;
  /** Which step of the metadata chain filled `data`. */
  source: MetadataSource;
  sif?: SifFacts;
  size?: number;
  sha256?: string;
}

export interface DescribeResult {
  metrics: ImageMetrics;
  warnings: string[];
}
