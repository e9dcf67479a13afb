/**
 * Reading the parts of a workbook's ZIP container within bounds, since a
 * workbook may come from anyone: yauzl reads the central directory (never the
 * whole file into memory) and checks that every entry inflates to exactly the
 * size it declares; on top of that, the number of entries, each part's size,
 * the total size and the compression ratio are bounded before anything is
 * inflated, so that a zip bomb is refused instead of unpacked.
 */
import type { Readable } from 'node:stream';
import yauzl, { type Entry, type ZipFile } from 'yauzl';

/** Bounds on what a workbook may unpack to. */
export const ZIP_LIMITS = {
  /** Entries in the archive: a workbook has a few dozen (a few thousand with many sheets and images). */
  entries: 10_000,
  /** Size of a part read whole into memory (workbook, relationships, styles, shared strings). */
  partBytes: 256 << 20,
  /** Size of one sheet's XML, read as a stream. */
  sheetBytes: 4 * 1024 ** 3,
  /** Size of all the parts read, together. */
  totalBytes: 8 * 1024 ** 3,
  /** Inflated size per compressed byte, for parts over `ratioFrom` bytes: spreadsheet XML compresses 5–30 times. */
  ratio: 200,
  ratioFrom: 16 << 20,
};

/** A workbook that cannot be read safely or at all: the reason says what and what to do. */
export class ZipError extends Error {
  constructor(
    message: string,
    readonly code = 'bad-workbook',
  ) {
    super(message);
  }
}

/** A ZIP container opened for reading its parts by name. */
export class ZipParts {
  private constructor(
    private readonly zip: ZipFile,
    /** Entries by part name, lower-cased (OOXML part names are case-insensitive). */
    private readonly entries: Map<string, Entry>,
    private readonly limits: typeof ZIP_LIMITS,
  ) {}

  private read = 0;

  /** Opens `path` and lists its entries, checking the bounds that the central directory can tell. */
  static async open(path: string, limits = ZIP_LIMITS): Promise<ZipParts> {
    let zip: ZipFile;
    try {
      zip = await yauzl.openPromise(path, { autoClose: false, lazyEntries: true, validateEntrySizes: true, strictFileNames: false, decodeStrings: true });
    } catch (err) {
      throw new ZipError(`the file is not a readable ZIP container (${(err as Error).message}); it may be damaged or cut short — re-export or re-download it`);
    }
    try {
      if (zip.entryCount > limits.entries) {
        throw new ZipError(`the archive lists ${zip.entryCount} entries, more than the ${limits.entries} a workbook could have; refused as a possible zip bomb — save the data as .xlsx or CSV again`, 'zip-bomb');
      }
      const entries = new Map<string, Entry>();
      for await (const e of zip.eachEntry()) entries.set(e.fileName.replace(/^\/+/, '').toLowerCase(), e);
      let total = 0;
      for (const e of entries.values()) total += e.uncompressedSize;
      if (total > limits.totalBytes) {
        throw new ZipError(`the archive would unpack to ${gib(total)}, more than the ${gib(limits.totalBytes)} allowed; refused as a possible zip bomb — split the workbook or export CSV`, 'zip-bomb');
      }
      return new ZipParts(zip, entries, limits);
    } catch (err) {
      zip.close();
      if (err instanceof ZipError) throw err;
      throw new ZipError(`the ZIP container is damaged (${(err as Error).message}); re-export or re-download it`);
    }
  }

  has(name: string): boolean {
    return this.entries.has(name.toLowerCase());
  }

  /** The inflated size a part declares (0 when absent). */
  size(name: string): number {
    return this.entries.get(name.toLowerCase())?.uncompressedSize ?? 0;
  }

  /** Names of the parts (lower-cased). */
  names(): string[] {
    return [...this.entries.keys()];
  }

  /** The whole part as a Buffer (for parts read into memory), or null when absent. */
  async readPart(name: string): Promise<Buffer | null> {
    const chunks: Buffer[] = [];
    const found = await this.stream(name, this.limits.partBytes, (c) => {
      chunks.push(c);
    });
    return found ? Buffer.concat(chunks) : null;
  }

  /**
   * Streams a part's inflated bytes to `onChunk` (which may return false to stop early), within `maxBytes`.
   * Returns false when the part is absent.
   */
  async stream(name: string, maxBytes: number, onChunk: (chunk: Buffer) => boolean | void): Promise<boolean> {
    const e = this.entries.get(name.toLowerCase());
    if (!e) return false;
    this.check(e, name, maxBytes);
    let rs: Readable;
    try {
      rs = await this.zip.openReadStreamPromise(e);
    } catch (err) {
      throw new ZipError(`part ${name} of the workbook cannot be read (${(err as Error).message}); re-export the workbook`);
    }
    let got = 0;
    try {
      for await (const chunk of rs) {
        got += (chunk as Buffer).length;
        // yauzl stops a part that inflates past its declared size; this is the same bound, kept by us too.
        if (got > e.uncompressedSize || got > maxBytes) throw new ZipError(`part ${name} inflates past its declared size; refused as a possible zip bomb`, 'zip-bomb');
        if (onChunk(chunk as Buffer) === false) break;
      }
    } catch (err) {
      rs.destroy();
      if (err instanceof ZipError) throw err;
      const msg = (err as Error).message;
      if (/too many bytes|too few bytes/i.test(msg)) throw new ZipError(`part ${name} does not inflate to the size it declares (${msg}); refused as damaged or hostile — re-export the workbook`, 'zip-bomb');
      throw new ZipError(`part ${name} of the workbook is damaged (${msg}); re-export the workbook`);
    } finally {
      rs.destroy();
    }
    return true;
  }

  private check(e: Entry, name: string, maxBytes: number): void {
    if (e.isEncrypted()) throw new ZipError('the workbook is encrypted; remove its password in Excel and save it again', 'encrypted-workbook');
    if (!e.canDecodeFileData()) throw new ZipError(`part ${name} uses a compression method fundaudit cannot read (method ${e.compressionMethod}); save the workbook again from Excel or WPS`);
    if (e.uncompressedSize > maxBytes) {
      throw new ZipError(`part ${name} would unpack to ${gib(e.uncompressedSize)}, more than the ${gib(maxBytes)} allowed; refused as a possible zip bomb — export CSV instead`, 'zip-bomb');
    }
    if (e.uncompressedSize > this.limits.ratioFrom && e.uncompressedSize > this.limits.ratio * Math.max(1, e.compressedSize)) {
      throw new ZipError(
        `part ${name} would unpack ${Math.round(e.uncompressedSize / Math.max(1, e.compressedSize))} times larger than it is stored (${gib(e.uncompressedSize)}); refused as a possible zip bomb — export CSV instead`,
        'zip-bomb',
      );
    }
    this.read += e.uncompressedSize;
    if (this.read > this.limits.totalBytes) throw new ZipError(`the workbook's parts unpack to more than ${gib(this.limits.totalBytes)}; refused as a possible zip bomb`, 'zip-bomb');
  }

  close(): void {
    this.zip.close();
  }
}

function gib(n: number): string {
  return n >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(1)} GiB` : `${Math.round(n / (1 << 20))} MiB`;
}
